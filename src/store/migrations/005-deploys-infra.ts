// Deploys' commit ranges and infrastructure resources. (Owned by the deploys/infra work.)
export default `SELECT 1;`;
