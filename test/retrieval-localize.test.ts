// localizeText: ticket text to source files, with stack frames weighing heavily.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCodeIndex, localizeText } from '../src/analysis/retrieval/index.js';
import { FILES } from './helpers/retrieval-fixtures.js';

const index = buildCodeIndex(FILES);

describe('localizeText', () => {
  it('ranks files by the words of the ticket', () => {
    const got = localizeText('Charging the card fails at the payment provider', index);
    assert.equal(got[0]?.path, 'shop/src/main/java/com/acme/payment/PaymentClient.java');
    assert.match(got[0]!.hint, /text match/);
    assert.equal(got[0]!.frame, null);
  });

  it('matches split identifiers: "remove item" finds removeItem', () => {
    const got = localizeText({ title: 'Cannot remove item' }, index);
    assert.equal(got[0]?.path, 'shop/src/main/java/com/acme/cart/CartService.java');
  });

  it('puts the file named by a stack frame above a better text match', () => {
    const ticket = {
      title: 'Checkout of the cart page crashes',
      body: [
        'Checkout checkout cart cart page render checkout.',
        'java.lang.ArithmeticException: / by zero',
        '\tat com.acme.payment.Util.round(Util.java:12)',
        '\tat com.acme.payment.PaymentClient.charge(PaymentClient.java:40)',
        '\tat java.base/java.lang.Thread.run(Thread.java:833)',
      ].join('\n'),
    };
    const got = localizeText(ticket, index);
    // Innermost frame first; Util.java resolved by the frame's package, not the cart's Util.java.
    assert.equal(got[0]?.path, 'shop/src/main/java/com/acme/payment/Util.java');
    assert.equal(got[0]?.frame, 0);
    assert.match(got[0]!.hint, /stack frame #1/);
    assert.equal(got[1]?.path, 'shop/src/main/java/com/acme/payment/PaymentClient.java');
    assert.equal(got[1]?.frame, 1);
    const cartUtil = got.find((c) => c.path.endsWith('cart/Util.java'));
    assert.ok(cartUtil === undefined || cartUtil.frame === null);
    // Without the trace, the text alone points elsewhere.
    const textOnly = localizeText(
      { title: ticket.title, body: 'Checkout checkout cart cart page render checkout.' },
      index,
    );
    assert.notEqual(textOnly[0]?.path, 'shop/src/main/java/com/acme/payment/Util.java');
  });

  it('resolves Python frames by path suffix', () => {
    const body = [
      'Traceback (most recent call last):',
      '  File "/srv/app/web/src/checkout/checkout_page.py", line 2, in render_checkout',
      'KeyError: total',
    ].join('\n');
    const got = localizeText({ title: 'Payment provider charge card', body }, index);
    assert.equal(got[0]?.path, 'web/src/checkout/checkout_page.py');
    assert.equal(got[0]?.frame, 0);
  });

  it('accepts documents directly and honours the limit', () => {
    const got = localizeText('checkout cart', FILES, { limit: 2 });
    assert.equal(got.length, 2);
    assert.ok(got[0]!.score >= got[1]!.score);
    assert.deepEqual(localizeText('zzz qqq', index), []);
  });
});
