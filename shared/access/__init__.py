"""Who may do what: every RPC caller is a principal the broker authenticated (the frame's
`user_id`, which RabbitMQ checks against the connection's user), allowed the methods of the
role it was granted, for the programmes it was granted, and named on every fact it records.

- `roles`: what each role may call, and which event logs it reads (the one policy, from
  which the broker's permissions are made too: `broker`).
- `grants`: the grants every replica holds, refreshed from the registry's facts.
- `caller`: the principal of the command being run, its check, and its provenance.
"""
