// The admission step of an ingest listener as a Fastify onRequest hook: after auth, a POST
// waits for a slot before its body is read, and holds it until its answer is sent or its
// connection closes, whichever comes first. Shared by the OTLP receiver and the Sentry routes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AbandonedBatchError } from '../store/index.js';
import type { Admission, AdmissionTicket } from './admission.js';

/** Set while a request holds an admission slot. */
interface InFlight {
  ticket: AdmissionTicket | null;
  /** Aborts when the client goes away before its answer. */
  abort: AbortSignal;
}

export interface AdmissionHook {
  hook: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Aborted when the request's client went away before its answer (the batch is then dropped). */
  abortOf(req: FastifyRequest): AbortSignal | undefined;
}

export function admissionHook(admission: Admission): AdmissionHook {
  const inFlight = new WeakMap<FastifyRequest, InFlight>();
  return {
    hook: async (req, reply) => {
      if (req.method !== 'POST') return;
      const ac = new AbortController();
      const state: InFlight = { ticket: null, abort: ac.signal };
      inFlight.set(req, state);
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) ac.abort(new AbandonedBatchError());
        state.ticket?.release();
      });
      const declared = Number(req.headers['content-length']);
      const ticket = await admission.acquire({
        signal: ac.signal,
        bytes: Number.isFinite(declared) ? declared : undefined,
      });
      if (ac.signal.aborted) ticket.release();
      else state.ticket = ticket;
    },
    abortOf: (req) => inFlight.get(req)?.abort,
  };
}
