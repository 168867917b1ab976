'use strict';
// A Node.js client of Baqylau, written from the published documents only: nameko RPC over
// AMQP as docs/commands.json states it (the exchange, the request and reply, each command's
// arguments and reply, the errors) and the public events as docs/asyncapi.json states them.
// Every request is checked against its command's `arguments` before it is sent, and every
// reply against `Reply`, the command's `reply` or the error's schema when it arrives.
// client.test.js uses it as an outside system would: its own broker user, its own grant.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const amqp = require('amqplib');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

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
    this.rpcExchange = this.commands.transport.exchange;
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
/** An error reply from the service. */
class RemoteError extends Error {
  constructor(method, error) {
    super(`${method} answered ${error.exc_type}: ${JSON.stringify(error.exc_args)}`);
    this.method = method;
    this.error = error;
    const args = Array.isArray(error.exc_args) ? error.exc_args : [];
    this.fields = args[1] && typeof args[1] === 'object' ? args[1] : {};
  }
}

/** The broker closed the channel a request was published on (`code`: 403 for a routing
 * key outside the role, 406 for a user_id that is not the connection's user). */
class BrokerRefusal extends Error {
  constructor(method, cause) {
    super(`the broker refused ${method} and closed the channel: ${cause.message}`);
    this.method = method;
    this.code = cause.code;
  }
}

/** The broker returned a request no queue is bound for: no service answers the method. */
class NoRoute extends Error {
  constructor(method) {
    super(`no service queue is bound for ${method}; the broker returned the request`);
    this.method = method;
  }
}

/** The broker user an AMQP URL logs in as: the principal the services know us by. */
function userOf(url) {
  return decodeURIComponent(new URL(url).username);
}

/** nameko 2.14's RPC over AMQP, as a client in another language speaks it. */
class RpcClient {
  constructor(contract, { timeoutMs }) {
    this.contract = contract;
    this.exchange = contract.rpcExchange;
    this.timeoutMs = timeoutMs;
    this.pending = new Map();
  }

  async connect(url) {
    const where = url.replace(/\/\/[^@/]*@/, '//');  // never print the credentials
    try {
      this.connection = await amqp.connect(url, { timeout: this.timeoutMs });
    } catch (err) {
      throw new Error(`cannot connect to RabbitMQ at ${where}: ${err.message}`);
    }
    this.userId = userOf(url);
    this.connection.on('error', (err) => console.error(`AMQP connection error: ${err.message}`));
    await this.open();
  }

  /** A channel with our reply queue. A refused publish closes the channel (never the
   * connection), failing whatever waited on it; the next request opens another. */
  async open() {
    const channel = await this.connection.createChannel();
    let refusal = new Error('the channel closed');
    channel.on('error', (err) => { refusal = err; });
    channel.on('close', () => {
      if (this.channel === channel) this.channel = null;
      for (const waiting of [...this.pending.values()]) {
        waiting.reject(new BrokerRefusal(waiting.method, refusal));
      }
    });
    // mandatory: a command no service listens to comes back at once instead of vanishing.
    channel.on('return', (msg) => {
      const waiting = this.pending.get(msg.properties.correlationId);
      if (waiting) waiting.reject(new NoRoute(msg.fields.routingKey));
    });
    // Passive: the services declare the exchange; a caller may not (no `configure` on it).
    await channel.checkExchange(this.exchange.name);
    // The reply queue: server-named, ours alone, gone when we disconnect; replies come on
    // the RPC exchange with routing key = reply_to, so it is bound under a fresh key, named
    // for our user: the broker lets us bind no other (docs/integrators.md).
    const replyTo = `${this.userId}.reply-${crypto.randomUUID()}`;
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, this.exchange.name, replyTo);
    await channel.consume(queue, (msg) => this.onReply(msg), { noAck: true });
    this.replyTo = replyTo;
    this.channel = channel;
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
   * deadline naming what it waited for. `properties` replaces the standard ones; `userId`
   * is our broker user unless given (null: none). */
  async request(method, content, { timeoutMs = this.timeoutMs, properties, userId } = {}) {
    if (!this.channel) await this.open();
    const { channel, replyTo } = this;
    const stamp = userId === undefined ? this.userId : userId;
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
      try {
        channel.publish(this.exchange.name, method, content, {
          ...(properties || standard), ...(stamp === null ? {} : { userId: stamp }),
          replyTo, correlationId, mandatory: true,
        });
      } catch (err) {  // the channel closed under us
        const waiting = this.pending.get(correlationId);
        waiting.reject(new Error(`cannot publish ${method}: ${err.message}`));
      }
    });
  }

  /** The reply body of `service.method(**kwargs)`: {result, error}, checked against
   * docs/commands.json; `valid: false` sends arguments the document would refuse. */
  async attempt(method, kwargs, { valid = true, ...options } = {}) {
    const request = { args: [], kwargs };
    this.contract.check('commands.json#/definitions/Request', request, `request to ${method}`);
    if (valid) this.contract.checkArguments(method, kwargs);
    const body = Buffer.from(JSON.stringify(request), 'utf8');
    const reply = (await this.request(method, body, options)).body;
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

module.exports = {
  BrokerRefusal, Contract, NoRoute, RemoteError, RpcClient, eventChannel, userOf,
};
