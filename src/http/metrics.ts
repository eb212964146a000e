import client from 'prom-client';

/** The service's Prometheus metrics, one registry per app instance (tests build several). */
export function createMetrics(opts: { breachingTickets?: () => Promise<number> } = {}) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpDuration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const ticketsCreated = new client.Counter({
    name: 'tickets_created_total',
    help: 'Tickets created',
    labelNames: ['via'],
    registers: [registry],
  });
  const deliveries = new client.Counter({
    name: 'chat_deliveries_total',
    help: 'Messages delivered to chat threads',
    labelNames: ['platform'],
    registers: [registry],
  });
  const deliveryFailures = new client.Counter({
    name: 'chat_delivery_failures_total',
    help: 'Failed delivery attempts by what the engine did next',
    labelNames: ['platform', 'action'],
    registers: [registry],
  });
  const deliveryLatency = new client.Histogram({
    name: 'chat_delivery_latency_seconds',
    help: 'From the commit of a change to the platform accepting its message',
    labelNames: ['platform'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  const inboundDead = new client.Counter({
    name: 'inbound_events_dead_total',
    help: 'Inbound platform events parked after repeated failures',
    labelNames: ['platform'],
    registers: [registry],
  });
  const slaBreaches = new client.Counter({
    name: 'sla_breaches_total',
    help: 'SLA targets missed, counted once each when the SLA job finds them',
    labelNames: ['target', 'priority'],
    registers: [registry],
  });
  const breaching = opts.breachingTickets;
  new client.Gauge({
    name: 'sla_breaching_tickets',
    help: 'Tickets with a running SLA target past due, at the time of the scrape',
    registers: [registry],
    async collect() {
      if (breaching) this.set(await breaching());
    },
  });
  return { registry, httpDuration, ticketsCreated, deliveries, deliveryFailures, deliveryLatency, inboundDead, slaBreaches };
}

export type Metrics = ReturnType<typeof createMetrics>;
