// Tickets: what each ticket mentions and what it links to. (Owned by the tickets work.)
export default `SELECT 1;`;
