// The frame of every page: the navigation (a skip link first), the Ask box, the token control,
// the page, and the Explain drawer when the address names a target (`?explain=`).
import { type ReactNode, useEffect, useState } from 'react';
import { NavLink } from 'react-router-dom';
import { setToken, token } from '../api';
import { AskBox } from './ask-box';
import { ExplainDrawer } from './explain-drawer';

const NAV: Array<[string, string]> = [
  ['/problems', 'Problems'],
  ['/investigations', 'Investigations'],
  ['/proposals', 'Proposals'],
  ['/map', 'Service map'],
  ['/tickets', 'Tickets'],
  ['/deploys', 'Deploys'],
  ['/errors', 'Errors'],
  ['/patterns', 'Patterns'],
  ['/simulations', 'Simulations'],
  ['/search', 'Search'],
];

function TokenControl() {
  const [open, setOpen] = useState(false);
  const [has, setHas] = useState(token() !== null);
  useEffect(() => {
    const ask = () => setOpen(true);
    window.addEventListener('orrery-unauthorized', ask);
    return () => window.removeEventListener('orrery-unauthorized', ask);
  }, []);
  if (!open) {
    return (
      <button type="button" className="link" onClick={() => setOpen(true)}>
        {has ? 'Token set' : 'Token'}
      </button>
    );
  }
  return (
    <form
      className="token"
      onSubmit={(e) => {
        e.preventDefault();
        const v = String(new FormData(e.currentTarget).get('token') ?? '').trim();
        setToken(v || null);
        setHas(v !== '');
        setOpen(false);
      }}
    >
      <label>
        API token <input name="token" type="password" autoComplete="off" placeholder="orrery token create" />
      </label>
      <button type="submit">Save</button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <strong className="brand">Orrery</strong>
        <nav aria-label="Main">
          {NAV.map(([to, label]) => (
            <NavLink key={to} to={to} className={({ isActive }) => (isActive ? 'active' : '')}>
              {label}
            </NavLink>
          ))}
        </nav>
        <AskBox />
        <TokenControl />
      </header>
      <div className="frame">
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <ExplainDrawer />
      </div>
    </>
  );
}

/** A page's heading and, beside it, its actions. */
export function PageHead({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-head">
      <h1>{title}</h1>
      {children && <div className="actions">{children}</div>}
    </div>
  );
}
