import test from 'ava';
import fc from 'fast-check';
import { IPPool } from '../../../src/kubelet/runtime/ip-pool.js';
import { RuntimeError } from '../../../src/kubelet/runtime/errors.js';

test('a pool skips the network address, the gateway and the broadcast address', (t) => {
  const pool = new IPPool('127.42.0.0/30');
  t.is(pool.capacity, 1);
  t.is(pool.allocate(), '127.42.0.2');
  const err = t.throws(() => pool.allocate(), { instanceOf: RuntimeError });
  t.is(err?.code, 'AddressExhausted');
  t.regex(err?.message ?? '', /larger range/);
});

test('a malformed CIDR is rejected with an example of a valid one', (t) => {
  for (const bad of ['10.0.0.0', '10.0.0/16', '300.0.0.0/16', '10.0.0.0/31', 'x/8']) {
    t.throws(() => new IPPool(bad), { message: /e\.g\. '10\.244\.0\.0\/16'/ }, bad);
  }
});

test('allocated addresses are unique while in use, whatever the order of allocations and releases', (t) => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constant<'a'>('a'), fc.nat({ max: 20 })), { maxLength: 200 }), (ops) => {
      const pool = new IPPool('10.9.0.0/27'); // 30 usable addresses
      const inUse: string[] = [];
      for (const op of ops) {
        if (op === 'a') {
          if (inUse.length === pool.capacity) continue;
          const ip = pool.allocate();
          if (inUse.includes(ip) || !ip.startsWith('10.9.0.')) return false;
          inUse.push(ip);
        } else if (inUse.length > 0) {
          const [ip] = inUse.splice(op % inUse.length, 1);
          pool.release(ip);
        }
      }
      return pool.inUse === inUse.length;
    }),
  );
  t.pass();
});

test('a released address is not handed out again before the rest of the range', (t) => {
  const pool = new IPPool('10.1.0.0/24');
  const first = pool.allocate();
  pool.release(first);
  t.not(pool.allocate(), first);
});
