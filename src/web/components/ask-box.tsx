// The Ask box in the header of every page: a question goes to the Ask page (`/ask?q=…`), which
// posts it to /api/ask; on that page the box shows the question asked.
import { useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';

export function AskBox() {
  const location = useLocation();
  const navigate = useNavigate();
  const asked = location.pathname === '/ask' ? (new URLSearchParams(location.search).get('q') ?? '') : '';
  const [question, setQuestion] = useState(asked);
  useEffect(() => setQuestion(asked), [asked]);
  return (
    <form
      className="ask-box"
      aria-label="Ask"
      onSubmit={(e) => {
        e.preventDefault();
        const q = question.trim();
        if (q) navigate(`/ask?${new URLSearchParams({ q })}`);
      }}
    >
      <input
        name="q"
        type="search"
        aria-label="Question"
        placeholder="Ask: how does web reach cart?"
        value={question}
        maxLength={2000}
        onChange={(e) => setQuestion(e.target.value)}
      />
      <button type="submit">Ask</button>
    </form>
  );
}
