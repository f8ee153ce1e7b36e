// Small retrieval fixtures shared by the retrieval tests and the version snapshots
// (test/helpers/version-runners.ts), so both rank the same documents.
import type { CodeDocument, TicketDocument } from '../../src/analysis/retrieval/index.js';

export const DAY = 86_400_000;
export const TICKETS: TicketDocument[] = [
  {
    id: 'T1',
    title: 'Checkout throws NullPointerException',
    body: 'CartService.checkout NPE when the cart is empty.',
    createdAt: 1 * DAY,
  },
  {
    id: 'T2',
    title: 'Password reset mail not sent',
    body: 'No email after clicking reset password.',
    createdAt: 2 * DAY,
  },
  { id: 'T3', title: 'Dark mode colours wrong', body: 'Buttons unreadable in dark mode.', createdAt: 3 * DAY },
  {
    id: 'T4',
    title: 'NPE in cart checkout',
    body: 'java.lang.NullPointerException at CartService.checkout',
    createdAt: 4 * DAY,
  },
  {
    id: 'T5',
    title: 'Reset password email missing',
    body: 'The password reset email never arrives.',
    createdAt: 9 * DAY,
  },
  { id: 'T6', title: 'Slow search', body: 'Searching for products takes seconds.', createdAt: 10 * DAY },
];

/** Source files for localizeText. */
export const FILES: CodeDocument[] = [
  {
    path: 'shop/src/main/java/com/acme/cart/CartService.java',
    symbols: ['CartService', 'addItem', 'removeItem', 'checkout'],
    content:
      'package com.acme.cart;\n/** Adds and removes cart items; checkout validates the cart. */\npublic class CartService { void addItem() {} void checkout() {} }',
  },
  {
    path: 'shop/src/main/java/com/acme/payment/PaymentClient.java',
    symbols: ['PaymentClient', 'charge'],
    content:
      'package com.acme.payment;\n/** Calls the payment provider to charge a card. */\npublic class PaymentClient { void charge() {} }',
  },
  {
    path: 'shop/src/main/java/com/acme/payment/Util.java',
    symbols: ['Util', 'round'],
    content: 'package com.acme.payment;\nclass Util { static long round(double amount) { return 0; } }',
  },
  {
    path: 'shop/src/main/java/com/acme/cart/Util.java',
    symbols: ['Util', 'merge'],
    content: 'package com.acme.cart;\nclass Util { static void merge() {} }',
  },
  {
    path: 'web/src/checkout/checkout_page.py',
    symbols: ['render_checkout', 'CheckoutPage'],
    content: 'def render_checkout(cart):\n    """Renders the checkout page with the cart total."""\n',
  },
];
