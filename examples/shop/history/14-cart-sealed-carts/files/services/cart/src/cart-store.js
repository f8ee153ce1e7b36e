// Carts live outside the process so they survive deploys and every replica sees the same
// cart: one small file per customer under DATA_DIR/carts (our stand-in for Redis), sealed
// (seal.js).
import { mkdirSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seal, unseal } from './seal.js';

const empty = () => ({ items: [], updatedAt: null });

export class CartStore {
  constructor(dataDir) {
    this.dir = join(dataDir, 'carts');
    mkdirSync(this.dir, { recursive: true });
  }

  file(userId) {
    return join(this.dir, `${encodeURIComponent(userId)}.json`);
  }

  async get(userId) {
    try {
      return unseal(userId, await readFile(this.file(userId), 'utf8'));
    } catch (err) {
      if (err.code === 'ENOENT') return empty();
      throw err;
    }
  }

  async put(userId, cart) {
    const file = this.file(userId);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, seal(userId, { ...cart, updatedAt: new Date().toISOString() }));
    await rename(tmp, file);
  }

  async clear(userId) {
    await rm(this.file(userId), { force: true });
  }
}

/** Adds quantity of a product, merging with an existing line for it. */
export function addLine(cart, { productId, quantity, price, discount }) {
  const line = cart.items.find((i) => i.productId === productId);
  if (line) {
    line.quantity += quantity;
    line.price = price;
    if (discount) line.discount = discount;
    else delete line.discount;
  } else {
    cart.items.push(discount ? { productId, quantity, price, discount } : { productId, quantity, price });
  }
  return cart;
}

export function itemCount(cart) {
  return cart.items.reduce((n, i) => n + i.quantity, 0);
}
