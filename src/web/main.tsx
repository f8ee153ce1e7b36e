// The Orrery web UI: one route per object, so every page is a deep link.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { Layout } from './components/layout';
import { Empty, PageBoundary } from './components/states';
import { AskPage } from './pages/ask';
import { CodePage } from './pages/code';
import { InvestigationPage } from './pages/investigation';
import {
  CommitPage,
  DeployPage,
  DeploysPage,
  ErrorPage,
  ErrorsPage,
  InvestigationsPage,
  PatternPage,
  PatternsPage,
  TicketPage,
  TicketsPage,
} from './pages/objects';
import { ProblemPage } from './pages/problem';
import { ProblemsPage } from './pages/problems';
import { ProposalPage } from './pages/proposal';
import { ProposalsPage } from './pages/proposals';
import { BlastRadiusPage } from './pages/blast-radius';
import { SearchPage, TracePage } from './pages/search';
import { SimulationPage } from './pages/simulation';
import { SimulationsPage } from './pages/simulations';
import { ServiceMapPage } from './pages/service-map';
import './styles.css';

function App() {
  const location = useLocation();
  return (
    <Layout>
      <PageBoundary resetKey={location.pathname + location.search}>
        <Routes>
          <Route path="/" element={<Navigate to="/problems" replace />} />
          <Route path="/problems" element={<ProblemsPage />} />
          <Route path="/problems/:id" element={<ProblemPage />} />
          <Route path="/investigations" element={<InvestigationsPage />} />
          <Route path="/investigations/:id" element={<InvestigationPage />} />
          <Route path="/proposals" element={<ProposalsPage />} />
          <Route path="/proposals/:id" element={<ProposalPage />} />
          <Route path="/map" element={<ServiceMapPage />} />
          <Route path="/tickets" element={<TicketsPage />} />
          <Route path="/tickets/:id" element={<TicketPage />} />
          <Route path="/deploys" element={<DeploysPage />} />
          <Route path="/deploys/:id" element={<DeployPage />} />
          <Route path="/errors" element={<ErrorsPage />} />
          <Route path="/errors/:fingerprint" element={<ErrorPage />} />
          <Route path="/patterns" element={<PatternsPage />} />
          <Route path="/patterns/:key" element={<PatternPage />} />
          <Route path="/commits/:repo/:sha" element={<CommitPage />} />
          <Route path="/simulations" element={<SimulationsPage />} />
          <Route path="/simulations/change" element={<BlastRadiusPage />} />
          <Route path="/simulations/:id" element={<SimulationPage />} />
          <Route path="/search" element={<SearchPage />} />
          <Route path="/ask" element={<AskPage />} />
          <Route path="/code" element={<CodePage />} />
          <Route path="/traces/:traceId" element={<TracePage />} />
          <Route path="*" element={<Empty>There is no page here. Pick one above.</Empty>} />
        </Routes>
      </PageBoundary>
    </Layout>
  );
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </StrictMode>,
  );
}
