'use strict';
// Another language's client of Baqylau, written from the published documents only:
// nameko RPC over AMQP as docs/commands.json states it (the exchange, the request and reply,
// each command's arguments and reply, the errors, the malformed frame's answer) and the
// public events as docs/asyncapi.json states them (exchange, routing key, message schema).
// Every request is checked against its command's `arguments` before it is sent, and every
// reply against `Reply`, the command's `reply` or the error's schema when it arrives.
//
//   AMQP_URL=amqp://guest:guest@127.0.0.1:5672/<vhost> PROGRAMME_ID=... SCHOOL_ID=... \
//   OTHER_SCHOOL_ID=... node tests/node/client.test.js
//
// tests/node/test_node_client.py starts the services on a throwaway vhost, seeds the registry
// and runs this file. Every wait has a deadline and fails naming what it waited for; the
// whole process has one too (NODE_TEST_TIMEOUT_S), so it never hangs.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { test, before, after } = require('node:test');

const amqp = require('amqplib');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    console.error(`FAILED: environment variable ${name} is required (see the head of this file)`);
    process.exit(2);
  }
  return value;
};

const AMQP_URL = env('AMQP_URL');
const PROGRAMME_ID = env('PROGRAMME_ID');
const SCHOOL_ID = env('SCHOOL_ID');              // a school of PROGRAMME_ID
const OTHER_SCHOOL_ID = env('OTHER_SCHOOL_ID');  // a school of another programme only
const DAY = env('TRAINING_DAY', '2024-10-01');   // within PROGRAMME_ID's period
const DOCS = env('DOCS_DIR', path.resolve(__dirname, '..', '..', 'docs'));
const RPC_TIMEOUT_MS = Number(env('RPC_TIMEOUT_S', '10')) * 1000;
const EVENT_TIMEOUT_MS = Number(env('EVENT_TIMEOUT_S', '15')) * 1000;
// Training learns a programme's schools from the registry's events: until they have arrived
// a school may be refused; an enrolment of a school of the programme is retried this long.
const SCHOOLS_KNOWN_TIMEOUT_MS = Number(env('SCHOOLS_KNOWN_TIMEOUT_S', '20')) * 1000;
const MALFORMED_TIMEOUT_MS = Number(env('MALFORMED_TIMEOUT_S', '5')) * 1000;
const OVERALL_TIMEOUT_MS = Number(env('NODE_TEST_TIMEOUT_S', '90')) * 1000;

// The whole process's deadline: whatever is still waiting then, it fails and exits.
setTimeout(() => {
  console.error(`FAILED: the Node client test did not finish within ${OVERALL_TIMEOUT_MS / 1000} s`);
  process.exit(2);
}, OVERALL_TIMEOUT_MS).unref();

const run = crypto.randomUUID().slice(0, 8);

// ---------------------------------------------------------------------------- documents
function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function resolveRef(doc, ref) {
  assert.ok(ref.startsWith('#/'), `only local $refs are expected, got ${ref}`);
  return ref.slice(2).split('/').reduce((node, key) => {
    assert.ok(node && key in node, `${ref} does not resolve in the AsyncAPI document`);
    return node[key];
  }, doc);
}

/** The channel publishing `type`: its exchange (name, type, durability), routing key and
 * message, as docs/asyncapi.json describes it. */
function eventChannel(doc, type) {
  for (const [name, channel] of Object.entries(doc.channels || {})) {
    const operation = channel.subscribe;
    if (!operation || !operation.message) continue;
    const ref = operation.message.$ref;
    const message = ref ? resolveRef(doc, ref) : operation.message;
    if (message.name !== type) continue;
    const binding = channel.bindings && channel.bindings.amqp;
    assert.ok(binding && binding.exchange, `channel ${name} has no AMQP exchange binding`);
    assert.equal(binding.is, 'routingKey', `channel ${name} is not a routing key on an exchange`);
    const exchange = binding.exchange;
    // The channel's address is "<exchange>/<routing key>" (AsyncAPI 2.6, is: routingKey).
    const prefix = `${exchange.name}/`;
    const routingKey = name.startsWith(prefix) ? name.slice(prefix.length) : name;
    return { name, exchange, routingKey, message, messageRef: ref };
  }
  throw new Error(`no channel in docs/asyncapi.json publishes ${type}`);
}

/** Both documents in one validator: `check(pointer, value, what)` validates a value
 * against the schema at docs/<file>#<pointer> and fails naming what did not match. */
class Contract {
  constructor(docs) {
    this.asyncapi = readJson(path.join(docs, 'asyncapi.json'));
    const commandsFile = path.join(docs, 'commands.json');
    assert.ok(fs.existsSync(commandsFile), `${commandsFile} is missing: the RPC contract`);
    this.commands = readJson(commandsFile);
    // strict: false, since the documents carry keywords of their own (AsyncAPI's, x-...).
    this.ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(this.ajv);
    this.ajv.addSchema(this.asyncapi, 'asyncapi.json');
    this.ajv.addSchema(this.commands, 'commands.json');
    const { exchange } = this.commands.transport;
    this.rpcExchange = exchange;
  }

  command(method) {
    const command = this.commands.commands[method];
    assert.ok(command, `docs/commands.json does not document ${method}`);
    return command;
  }

  check(where, value, what) {
    const validate = this.ajv.getSchema(where);
    assert.ok(validate, `no schema at ${where}`);
    if (!validate(value)) {
      assert.fail(`${what} does not match ${where}: ` +
        `${this.ajv.errorsText(validate.errors, { dataVar: what.split(' ')[0] })}\n` +
        `${what}: ${JSON.stringify(value)}`);
    }
  }

  checkArguments(method, kwargs) {
    this.command(method);
    this.check(`commands.json#/commands/${method}/arguments`, kwargs, `kwargs of ${method}`);
  }

  /** A reply body as docs/commands.json states it: Reply; then the command's `reply` (when
   * it states one) or, for an error, the schema of that error. */
  checkReply(method, body) {
    this.check('commands.json#/definitions/Reply', body, `reply to ${method}`);
    if (body.error) {
      const known = this.commands.errors[body.error.exc_type];
      assert.ok(known, `${method} answered ${body.error.exc_type}, not an error ` +
        `docs/commands.json lists: ${JSON.stringify(body.error)}`);
      assert.equal(body.error.exc_path, known.exc_path);
      this.check(`commands.json${known.schema}`, body.error, `error of ${method}`);
    } else if (this.command(method).reply) {
      this.check(`commands.json#/commands/${method}/reply`, body.result, `result of ${method}`);
    }
  }
}

// ---------------------------------------------------------------------------- RPC client
class RemoteError extends Error {
  constructor(method, error) {
    super(`${method} answered ${error.exc_type}: ${JSON.stringify(error.exc_args)}`);
    this.method = method;
    this.error = error;
    const args = Array.isArray(error.exc_args) ? error.exc_args : [];
    this.fields = args[1] && typeof args[1] === 'object' ? args[1] : {};
  }
}

/** nameko 2.14's RPC over AMQP, as a client in another language speaks it. */
class RpcClient {
  constructor(contract) {
    this.contract = contract;
    this.exchange = contract.rpcExchange;
  }

  async connect(url) {
    const where = url.replace(/\/\/[^@/]*@/, '//');  // never print the credentials
    try {
      this.connection = await amqp.connect(url, { timeout: RPC_TIMEOUT_MS });
    } catch (err) {
      throw new Error(`cannot connect to RabbitMQ at ${where}: ${err.message}`);
    }
    this.connection.on('error', (err) => console.error(`AMQP connection error: ${err.message}`));
    this.channel = await this.connection.createChannel();
    this.pending = new Map();
    this.returned = new Map();
    const { name, type, durable } = this.exchange;
    await this.channel.assertExchange(name, type, { durable });
    // The reply queue: ours alone, gone when we disconnect; replies come on the RPC
    // exchange with routing key = reply_to, so the queue is bound under a fresh uuid.
    this.replyTo = crypto.randomUUID();
    const { queue } = await this.channel.assertQueue('', { exclusive: true, autoDelete: true });
    await this.channel.bindQueue(queue, name, this.replyTo);
    await this.channel.consume(queue, (msg) => this.onReply(msg), { noAck: true });
    // mandatory: a command no service listens to comes back at once instead of vanishing.
    this.channel.on('return', (msg) => {
      const waiting = this.pending.get(msg.properties.correlationId);
      if (waiting) waiting.reject(new Error(`no service queue is bound for ${msg.fields.routingKey}`));
    });
  }

  onReply(msg) {
    const waiting = this.pending.get(msg.properties.correlationId);
    if (!waiting) return;  // a late reply to a call that timed out
    let body;
    try {
      body = JSON.parse(msg.content.toString('utf8'));
    } catch (err) {
      waiting.reject(new Error(`the reply to ${waiting.method} is not JSON: ${err.message}`));
      return;
    }
    waiting.resolve({ body, properties: msg.properties });
  }

  /** Publish one request; resolves with the reply {body, properties} or rejects at the
   * deadline naming what it waited for. `properties` replaces the standard ones. */
  request(method, content, { timeoutMs = RPC_TIMEOUT_MS, properties } = {}) {
    const correlationId = crypto.randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new Error(`waited ${timeoutMs / 1000} s for the reply to ${method} ` +
          `(correlation_id ${correlationId}); none came`));
      }, timeoutMs);
      const settle = (fn) => (value) => {
        clearTimeout(timer);
        this.pending.delete(correlationId);
        fn(value);
      };
      this.pending.set(correlationId, { method, resolve: settle(resolve), reject: settle(reject) });
      const standard = { contentType: 'application/json', contentEncoding: 'utf-8' };
      this.channel.publish(this.exchange.name, method, content, {
        ...(properties || standard), replyTo: this.replyTo, correlationId, mandatory: true,
      });
    });
  }

  /** The reply body of `service.method(**kwargs)`: {result, error}, checked against
   * docs/commands.json; `valid: false` sends arguments the document would refuse. */
  async attempt(method, kwargs, { valid = true } = {}) {
    const request = { args: [], kwargs };
    this.contract.check('commands.json#/definitions/Request', request, `request to ${method}`);
    if (valid) this.contract.checkArguments(method, kwargs);
    const body = Buffer.from(JSON.stringify(request), 'utf8');
    const reply = (await this.request(method, body)).body;
    this.contract.checkReply(method, reply);
    return reply;
  }

  /** The result of `service.method(**kwargs)`; a RemoteError for an error reply. */
  async call(method, kwargs, options) {
    const reply = await this.attempt(method, kwargs, options);
    if (reply.error) throw new RemoteError(method, reply.error);
    return reply.result;
  }

  async close() {
    if (this.connection) await this.connection.close().catch(() => {});
  }
}

/** Assert that `promise` is an error reply naming the field `field`. */
async function refusedNaming(t, promise, field, what) {
  let result;
  try {
    result = await promise;
  } catch (err) {
    if (!(err instanceof RemoteError)) throw err;
    assert.ok(field in err.fields,
      `${what}: refused, but the error does not name ${field}: ${err.message}`);
    t.diagnostic(err.message);
    return err;
  }
  assert.fail(`${what}: accepted, but must be refused naming ${field}; reply: ${JSON.stringify(result)}`);
}

// ---------------------------------------------------------------------------- the test
const contract = new Contract(DOCS);
const rpc = new RpcClient(contract);
const state = {};
let completedChannel;
let subscriber;
const received = [];
const arrivals = [];

/** The first received TrainingCompleted message that `match` accepts, waiting up to the
 * deadline for it. */
function nextEvent(match, what, timeoutMs = EVENT_TIMEOUT_MS) {
  const found = received.find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      arrivals.splice(arrivals.indexOf(waiter), 1);
      reject(new Error(`waited ${timeoutMs / 1000} s for ${what}; received ${received.length} ` +
        `message(s) on the queue: ${JSON.stringify(received.map((m) => m.body && m.body.data))}`));
    }, timeoutMs);
    const waiter = (msg) => {
      if (!match(msg)) return false;
      clearTimeout(timer);
      resolve(msg);
      return true;
    };
    arrivals.push(waiter);
  });
}

before(async () => {
  completedChannel = eventChannel(contract.asyncapi, 'TrainingCompleted');
  await rpc.connect(AMQP_URL);
  // Our own queue on the training service's events exchange, bound before anything is
  // completed, so that no event of ours can pass before we listen.
  const { exchange, routingKey } = completedChannel;
  subscriber = await rpc.connection.createChannel();
  await subscriber.assertExchange(exchange.name, exchange.type,
    { durable: exchange.durable, autoDelete: exchange.autoDelete });
  // A queue of our own (never a service's), here a throwaway one: exclusive, gone with us.
  const { queue } = await subscriber.assertQueue(`node-client-test.training.events.${run}`,
    { exclusive: true, autoDelete: true });
  await subscriber.bindQueue(queue, exchange.name, routingKey);
  await subscriber.consume(queue, (msg) => {
    let body = null;
    try {
      body = JSON.parse(msg.content.toString('utf8'));
    } catch (err) {
      console.error(`an unreadable message on ${exchange.name}/${routingKey}: ${err.message}`);
    }
    const event = { body, properties: msg.properties, fields: msg.fields };
    received.push(event);
    for (const waiter of [...arrivals]) {
      if (waiter(event)) arrivals.splice(arrivals.indexOf(waiter), 1);
    }
    subscriber.ack(msg);  // as the document asks: acknowledged once handled
  }, { noAck: false });
});

after(async () => {
  await rpc.close();
});

test('the documents name what this client uses', () => {
  const { exchange, routingKey, messageRef } = completedChannel;
  assert.equal(exchange.name, 'training.events');
  assert.equal(exchange.type, 'topic');
  assert.equal(routingKey, 'TrainingCompleted');
  assert.ok(messageRef, 'the TrainingCompleted channel names its message by $ref');
  assert.deepEqual(contract.rpcExchange, { name: 'nameko-rpc', type: 'topic', durable: true });
  for (const method of ['registry.list_organisations', 'training.summary',
    'training.schedule_course', 'training.enrol', 'training.record_attendance',
    'training.complete']) {
    assert.equal(`${contract.command(method).service}.${contract.command(method).method}`, method);
  }
});

test('a query: the registry lists the programme\'s schools; training sums it up', async () => {
  const listed = await rpc.call('registry.list_organisations', { programme_id: PROGRAMME_ID });
  const ids = listed.items.map((o) => o.organisation_id);
  assert.ok(ids.includes(SCHOOL_ID), `${SCHOOL_ID} is not listed in ${PROGRAMME_ID}: ${ids}`);
  assert.ok(!ids.includes(OTHER_SCHOOL_ID), `${OTHER_SCHOOL_ID} is listed in ${PROGRAMME_ID}`);
  const summary = await rpc.call('training.summary', { programme_id: PROGRAMME_ID });
  assert.equal(summary.programme_id, PROGRAMME_ID);
  assert.equal(typeof summary.teachers_trained, 'number');
  assert.equal(typeof summary.attended_hours, 'string', 'decimals travel as strings');
  state.trainedBefore = summary.teachers_trained;
});

test('an invalid query is refused naming its field', async (t) => {
  await refusedNaming(t, rpc.call('training.summary', {}, { valid: false }), 'programme_id',
    'training.summary without programme_id');
});

test('schedule a course', async () => {
  const course = await rpc.call('training.schedule_course', {
    programme_id: PROGRAMME_ID, code: `NODE-${run}`, title: 'Formative assessment online',
    subject: 'pedagogy', format: 'online', audience: 'teacher', planned_hours: '6',
    completion_hours: '6', provider: 'Node client test',
  });
  assert.equal(course.code, `NODE-${run}`);
  assert.equal(course.planned_hours, '6.0', 'decimals travel as strings');
  state.course = course;
});

test('enrol a teacher of a school in the programme', async () => {
  assert.ok(state.course, 'no course was scheduled');
  const kwargs = {
    course_id: state.course.id, participant_id: `TCH-NODE-${run}`, school_id: SCHOOL_ID,
    role: 'teacher', enrolled_on: DAY,
  };
  const deadline = Date.now() + SCHOOLS_KNOWN_TIMEOUT_MS;
  for (;;) {
    const reply = await rpc.attempt('training.enrol', kwargs);
    if (!reply.error) {
      state.enrolment = reply.result;
      break;
    }
    const refusal = new RemoteError('training.enrol', reply.error);
    // The school's joining may not have reached training yet: that refusal names school_id.
    if (!('school_id' in refusal.fields) || Date.now() > deadline) {
      throw new Error(`enrolling a teacher of ${SCHOOL_ID} (waited up to ` +
        `${SCHOOLS_KNOWN_TIMEOUT_MS / 1000} s for training to know the school): ${refusal.message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  assert.equal(state.enrolment.school_id, SCHOOL_ID);
  assert.equal(state.enrolment.programme_id, PROGRAMME_ID);
  assert.equal(state.enrolment.status, 'enrolled');
});

test('record attendance, then complete', async () => {
  assert.ok(state.enrolment, 'no enrolment was made');
  const attended = await rpc.call('training.record_attendance', {
    enrolment_id: state.enrolment.id, session_id: 'day-1', attended_on: DAY, hours: '6',
  });
  assert.equal(attended.attended_hours, '6.0');
  const completed = await rpc.call('training.complete', {
    enrolment_id: state.enrolment.id, completed_on: DAY,
  });
  assert.equal(completed.status, 'completed');
  state.completed = completed;
});

test('TrainingCompleted arrives on our own queue and matches the AsyncAPI schema', async () => {
  assert.ok(state.completed, 'no enrolment was completed');
  const event = await nextEvent(
    (m) => m.body && m.body.data && m.body.data.enrolment_id === state.enrolment.id,
    `the TrainingCompleted event of enrolment ${state.enrolment.id} on ` +
    `${completedChannel.exchange.name}/${completedChannel.routingKey}`);
  contract.check(`asyncapi.json${completedChannel.messageRef}/payload`, event.body,
    'event TrainingCompleted');
  assert.equal(event.properties.contentType, completedChannel.message.contentType);
  assert.equal(event.body.type, 'TrainingCompleted');
  assert.equal(event.body.data.school_id, SCHOOL_ID);
  assert.equal(event.body.data.participant_id, `TCH-NODE-${run}`);
});

test('the summary counts the teacher trained', async () => {
  assert.ok(state.completed, 'no enrolment was completed');
  const summary = await rpc.call('training.summary', { programme_id: PROGRAMME_ID });
  assert.equal(summary.teachers_trained, state.trainedBefore + 1);
});

test('an unknown school is refused, naming school_id', async (t) => {
  assert.ok(state.course, 'no course was scheduled');
  await refusedNaming(t, rpc.call('training.enrol', {
    course_id: state.course.id, participant_id: `TCH-NODE-${run}-X`,
    school_id: `NO-SUCH-SCHOOL-${run}`, role: 'teacher', enrolled_on: DAY,
  }), 'school_id', 'enrolling a teacher of a school the registry never registered');
});

test('another programme\'s school is refused, naming school_id', async (t) => {
  assert.ok(state.course, 'no course was scheduled');
  await refusedNaming(t, rpc.call('training.enrol', {
    course_id: state.course.id, participant_id: `TCH-NODE-${run}-Y`,
    school_id: OTHER_SCHOOL_ID, role: 'teacher', enrolled_on: DAY,
  }), 'school_id', `enrolling a teacher of ${OTHER_SCHOOL_ID}, a school of another programme only`);
});

test('a malformed frame (JSON without content_type) gets an error reply, not silence', async (t) => {
  const body = Buffer.from(JSON.stringify({ args: [], kwargs: { programme_id: PROGRAMME_ID } }), 'utf8');
  const reply = await rpc.request('training.summary', body, {
    timeoutMs: MALFORMED_TIMEOUT_MS, properties: { contentEncoding: 'utf-8' },
  });
  assert.ok(reply.body && reply.body.error,
    `expected an error reply, got ${JSON.stringify(reply.body)}`);
  assert.equal(reply.body.result ?? null, null);
  // docs/commands.json (transport.malformedFrame): InvalidInput naming the part at fault.
  contract.checkReply('training.summary', reply.body);
  assert.equal(reply.body.error.exc_type, 'InvalidInput');
  const [, fields] = reply.body.error.exc_args || [];
  assert.ok(fields && 'content_type' in fields,
    `the error reply does not name content_type: ${JSON.stringify(reply.body.error)}`);
  t.diagnostic(`${reply.body.error.exc_type}: ${JSON.stringify(reply.body.error.exc_args)}`);
});
