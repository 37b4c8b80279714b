/**
 * What a transport module is: an id from the registry and the routes it adds.
 *
 * Below both the transports and their index (./index.ts), so that a transport
 * names the type without importing the module that imports it (engine.io's
 * transports import a base, not the registry). Not in registry.ts, which stays a
 * leaf that imports nothing: the context this type names imports the port list,
 * which is built from the registry.
 */
import type { FastifyInstance } from 'fastify';
import type { LabContext } from '../context.ts';
import type { TransportId } from './registry.ts';

export interface Transport {
  id: TransportId;
  register(app: FastifyInstance, ctx: LabContext): void;
}
