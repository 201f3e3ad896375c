import { z } from 'zod';

// The dashboard's Content-Security-Policy forbids eval. Without this, zod probes `Function('')` when it builds an
// object schema (to compile a fast parser), and the browser reports a CSP violation. The plain parser is quick
// enough for the dashboard: it parses each answer once, and a stream event is small.
z.config({ jitless: true });
