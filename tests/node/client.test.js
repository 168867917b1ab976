'use strict';
// An outside system's client of Baqylau in another language (Node.js, amqplib), as a
// deployment gives it: its own broker user (its principal), granted the role `academy` for
// one programme, and its own AMQP URL. It speaks the RPC edge and reads the public events
// as docs/commands.json and docs/asyncapi.json state them (client.js), and meets what the
// platform refuses it: a request without user_id, a user_id naming another principal, the
// operators' commands, a programme outside its grant, and its grant revoked while it calls.
//
//   AMQP_URL=amqp://<user>:<password>@127.0.0.1:5672/<vhost> PROGRAMME_ID=... \
//   OTHER_PROGRAMME_ID=... SCHOOL_ID=... OTHER_SCHOOL_ID=... FORGED_USER_ID=<another user> \
//   node tests/node/client.test.js
//
// The last test asks for its grant to be revoked: it prints REVOKE_SIGNAL and waits for a
// line `revoked <ISO time of the revocation>` on stdin. tests/node/test_node_client.py
// starts the services on a throwaway vhost, makes the broker user, seeds the registry,
// grants, runs this file and answers it. Every wait has a deadline and fails naming what it
// waited for; the whole process has one too (NODE_TEST_TIMEOUT_S), so it never hangs.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const readline = require('node:readline');
const { test, before, after } = require('node:test');

const {
  BrokerRefusal, Contract, NoRoute, RemoteError, RpcClient, eventChannel,
} = require('./client');

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    console.error(`FAILED: environment variable ${name} is required (see the head of this file)`);
    process.exit(2);
  }
  return value;
};
const seconds = (name, fallback) => Number(env(name, fallback)) * 1000;

const AMQP_URL = env('AMQP_URL');                // as our own broker user
const PROGRAMME_ID = env('PROGRAMME_ID');        // the one programme we are granted
const OTHER_PROGRAMME_ID = env('OTHER_PROGRAMME_ID');
const SCHOOL_ID = env('SCHOOL_ID');              // a school of PROGRAMME_ID
const OTHER_SCHOOL_ID = env('OTHER_SCHOOL_ID');  // a school of another programme only
const FORGED_USER_ID = env('FORGED_USER_ID');    // another principal's name
const DAY = env('TRAINING_DAY', '2024-10-01');   // within PROGRAMME_ID's period
const DOCS = env('DOCS_DIR', path.resolve(__dirname, '..', '..', 'docs'));
const RPC_TIMEOUT_MS = seconds('RPC_TIMEOUT_S', '10');
const EVENT_TIMEOUT_MS = seconds('EVENT_TIMEOUT_S', '15');
// Training learns a programme's schools from the registry's events: until they have arrived
// a school may be refused; an enrolment of a school of the programme is retried this long.
const SCHOOLS_KNOWN_TIMEOUT_MS = seconds('SCHOOLS_KNOWN_TIMEOUT_S', '20');
const MALFORMED_TIMEOUT_MS = seconds('MALFORMED_TIMEOUT_S', '5');
// The broker refuses a frame as it arrives: waiting longer than this is not a refusal.
const BROKER_REFUSAL_TIMEOUT_MS = seconds('BROKER_REFUSAL_TIMEOUT_S', '3');
// Grants are refreshed every second on every replica (shared/access/grants.py).
const REVOKED_WITHIN_MS = seconds('REVOKED_WITHIN_S', '5');
const REVOKE_ANSWER_TIMEOUT_MS = seconds('REVOKE_ANSWER_TIMEOUT_S', '10');
const OVERALL_TIMEOUT_MS = seconds('NODE_TEST_TIMEOUT_S', '60');
const REVOKE_SIGNAL = 'baqylau-node-test: revoke my grant now';

// The whole process's deadline: whatever is still waiting then, it fails and exits.
setTimeout(() => {
  console.error(`FAILED: the Node client test did not finish within ${OVERALL_TIMEOUT_MS / 1000} s`);
  process.exit(2);
}, OVERALL_TIMEOUT_MS).unref();

const run = crypto.randomUUID().slice(0, 8);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Assert that `promise` is an error reply naming the field `field` (and of `type`). */
async function refusedNaming(t, promise, field, what, { type } = {}) {
  let result;
  try {
    result = await promise;
  } catch (err) {
    if (!(err instanceof RemoteError)) throw err;
    if (type) assert.equal(err.error.exc_type, type, `${what}: ${err.message}`);
    assert.ok(field in err.fields,
      `${what}: refused, but the error does not name ${field}: ${err.message}`);
    t.diagnostic(err.message);
    return err;
  }
  assert.fail(`${what}: accepted, but must be refused naming ${field}; reply: ${JSON.stringify(result)}`);
}

/** Assert that the broker refuses the request `promise` waits on with `code`, closing the
 * channel: an error the client sees at once, not a reply it waits for in vain. */
async function brokerRefuses(t, promise, code, what) {
  const started = Date.now();
  let result;
  try {
    result = await promise;
  } catch (err) {
    if (!(err instanceof BrokerRefusal)) {
      assert.fail(`${what}: the broker must refuse it (${code}); instead: ${err.message}`);
    }
    assert.equal(err.code, code, `${what}: ${err.message}`);
    t.diagnostic(`refused in ${Date.now() - started} ms: ${err.message}`);
    return err;
  }
  assert.fail(`${what}: answered, but the broker must refuse it: ${JSON.stringify(result)}`);
}

/** The rest of the first line on stdin that starts with `prefix`, within `timeoutMs`. */
function lineFromStdin(prefix, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: process.stdin });
    let settled = false;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      lines.close();
      process.stdin.destroy();  // or the open stdin keeps the process from exiting
      fn(value);
    };
    const timer = setTimeout(() => settle(reject, new Error(
      `waited ${timeoutMs / 1000} s for ${what} on stdin (a line "${prefix}...")`)), timeoutMs);
    lines.on('line', (line) => {
      if (line.startsWith(prefix)) settle(resolve, line.slice(prefix.length).trim());
    });
    lines.on('close', () => settle(reject, new Error(`stdin closed before ${what}`)));
  });
}

// ---------------------------------------------------------------------------- the test
const contract = new Contract(DOCS);
const rpc = new RpcClient(contract, { timeoutMs: RPC_TIMEOUT_MS });
const state = {};
let completedChannel;
let subscriber;
const received = [];
const arrivals = [];
// What an academy calls, and the operators' commands it may not (docs/commands.json `roles`).
const OURS = ['registry.list_organisations', 'training.summary', 'training.find_course',
  'training.schedule_course', 'training.enrol', 'training.record_attendance', 'training.complete'];
const OPERATORS_ONLY = {
  'reporting.issue_token': { funder_id: 'node-funder' },
  'reporting.list_tokens': {},
  'reporting.revoke_token': { token_id: 'tok_node' },
  'reporting.rebuild': {},
  'reporting.replay_dead_letters': {},
};

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
  subscriber.on('error', (err) => console.error(`the events channel closed: ${err.message}`));
  await subscriber.checkExchange(exchange.name);  // the service's to declare, not ours
  // A queue of our own, named `<our user>.…` as the broker lets us declare; here a
  // throwaway one: exclusive, gone with us.
  const { queue } = await subscriber.assertQueue(`${rpc.userId}.training.events.${run}`,
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

test('the documents name what this client uses, and who may call it', () => {
  const { exchange, routingKey, messageRef } = completedChannel;
  assert.equal(exchange.name, 'training.events');
  assert.equal(exchange.type, 'topic');
  assert.equal(routingKey, 'TrainingCompleted');
  assert.ok(messageRef, 'the TrainingCompleted channel names its message by $ref');
  assert.deepEqual(contract.rpcExchange, { name: 'nameko-rpc', type: 'topic', durable: true });
  assert.ok(contract.commands.transport.request.properties.user_id,
    'docs/commands.json does not say a request carries user_id');
  assert.ok(contract.commands.errors.Forbidden, 'docs/commands.json does not list Forbidden');
  for (const method of OURS) {
    const { service, method: name, roles } = contract.command(method);
    assert.equal(`${service}.${name}`, method);
    assert.ok(roles.includes('academy'), `docs/commands.json: an academy may not call ${method}`);
  }
  for (const method of Object.keys(OPERATORS_ONLY)) {
    assert.deepEqual(contract.command(method).roles, ['operators'], method);
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

// ---------------------------------------------------------------------------- refusals
/** A course of ours the refused requests below try to schedule. */
function course(code, programmeId = PROGRAMME_ID) {
  return {
    programme_id: programmeId, code, title: 'Refused', subject: 'pedagogy', format: 'online',
    audience: 'teacher', planned_hours: '6', completion_hours: '6', provider: 'Node client test',
  };
}

/** Assert that no course `code` was stored in `programmeId`. */
async function notStored(t, code, programmeId = PROGRAMME_ID) {
  await refusedNaming(t, rpc.call('training.find_course', { programme_id: programmeId, code }),
    'code', `the refused course ${code} must not be stored`, { type: 'NotFound' });
}

test('a request without user_id is Forbidden, naming user_id; nothing is stored', async (t) => {
  const code = `NODE-${run}-ANONYMOUS`;
  await refusedNaming(t, rpc.call('training.schedule_course', course(code), { userId: null }),
    'user_id', 'scheduling a course with no user_id on the request', { type: 'Forbidden' });
  await notStored(t, code);
});

test('a user_id naming another principal is refused by the broker at once; the client ' +
  'carries on on a new channel', async (t) => {
  const code = `NODE-${run}-FORGED`;
  const refusal = await brokerRefuses(t, rpc.call('training.schedule_course', course(code), {
    userId: FORGED_USER_ID, timeoutMs: BROKER_REFUSAL_TIMEOUT_MS,
  }), 406, `scheduling a course as ${FORGED_USER_ID}`);
  assert.match(refusal.message, /PRECONDITION_FAILED/);
  assert.ok(refusal.message.includes(FORGED_USER_ID), refusal.message);
  await notStored(t, code);  // on a channel opened anew
});

test('the operators\' reporting commands are refused by the broker, each', async (t) => {
  for (const [method, kwargs] of Object.entries(OPERATORS_ONLY)) {
    await t.test(method, async (t) => {
      const refusal = await brokerRefuses(t, rpc.call(method, kwargs,
        { timeoutMs: BROKER_REFUSAL_TIMEOUT_MS }), 403, `${method} as an academy`);
      assert.match(refusal.message, /ACCESS_REFUSED/);
      assert.ok(refusal.message.includes(`topic '${method}'`), refusal.message);
    });
  }
});

test('no reporting service runs here: a method with no service is returned, not refused, ' +
  'so the refusals above are the broker\'s permissions', async () => {
  // The academy may call equipment.summary, and no equipment service runs in this test
  // either: what nobody answers comes back unroutable.
  await assert.rejects(rpc.call('equipment.summary', { programme_id: PROGRAMME_ID },
    { timeoutMs: BROKER_REFUSAL_TIMEOUT_MS }), NoRoute);
});

test('recording for a programme outside the grant is Forbidden naming programme_id; ' +
  'nothing is stored', async (t) => {
  const code = `NODE-${run}-ELSEWHERE`;
  const refusal = await refusedNaming(t,
    rpc.call('training.schedule_course', course(code, OTHER_PROGRAMME_ID)),
    'programme_id', `scheduling a course in ${OTHER_PROGRAMME_ID}`, { type: 'Forbidden' });
  assert.ok(refusal.message.includes(OTHER_PROGRAMME_ID), refusal.message);
  await notStored(t, code, OTHER_PROGRAMME_ID);
});

// Last: from here on this principal may call nothing.
test('once the grant is revoked, every call is refused Forbidden within seconds', async (t) => {
  const calls = [['training.summary', { programme_id: PROGRAMME_ID }],
    ['registry.list_organisations', { programme_id: PROGRAMME_ID }]];
  for (const [method, kwargs] of calls) await rpc.call(method, kwargs);  // allowed till now
  const answer = { revokedAt: null, failed: null };
  lineFromStdin('revoked ', REVOKE_ANSWER_TIMEOUT_MS, 'the answer that the grant is revoked')
    .then((when) => { answer.revokedAt = Date.parse(when); },
      (err) => { answer.failed = err; });
  console.log(REVOKE_SIGNAL);
  // Keep calling, as a live system would, until each service has refused us.
  const refusedAt = new Map();
  for (let i = 0; refusedAt.size < calls.length || answer.revokedAt === null; i += 1) {
    if (answer.failed) throw answer.failed;
    assert.ok(answer.revokedAt === null || Date.now() - answer.revokedAt < REVOKED_WITHIN_MS,
      `still allowed ${REVOKED_WITHIN_MS / 1000} s after the revocation by ` +
      `${calls.filter(([m]) => !refusedAt.has(m)).map(([m]) => m).join(', ')}`);
    const [method, kwargs] = calls[i % calls.length];
    const reply = await rpc.attempt(method, kwargs);
    if (reply.error) {
      const refusal = new RemoteError(method, reply.error);
      assert.equal(reply.error.exc_type, 'Forbidden', refusal.message);
      assert.ok('user_id' in refusal.fields, refusal.message);
      if (!refusedAt.has(method)) refusedAt.set(method, Date.now());
    } else {
      assert.ok(!refusedAt.has(method), `${method} was refused, then allowed again`);
    }
    await sleep(50);
  }
  for (const [method, at] of refusedAt) {
    const line = `${method}: first refused ${((at - answer.revokedAt) / 1000).toFixed(2)} s ` +
      'after the revocation';
    t.diagnostic(line);
    console.log(line);
  }
  // Every call from now on, a recording one too.
  await refusedNaming(t, rpc.call('training.schedule_course', course(`NODE-${run}-REVOKED`)),
    'user_id', 'scheduling a course once revoked', { type: 'Forbidden' });
  for (const [method, kwargs] of calls) {
    await refusedNaming(t, rpc.call(method, kwargs), 'user_id', `${method} once revoked`,
      { type: 'Forbidden' });
  }
});
