// What the cart page and the header badge show: the lines with their totals, the number
// of items and the order total, with each product's discount applied.
const round2 = (n) => Math.round(n * 100) / 100;

/** The cart as order lines. Discounts follow catalog's { code, rate: { percent } } shape. */
export function lineItems(cart) {
  return cart.items.map((item) => ({
    productId: item.productId,
    quantity: item.quantity,
    price: item.price,
    discount: item.discount,
    lineTotal: 0,
  }));
}

export function summarizeCart(cart) {
  const lines = lineItems(cart);
  let total = 0;
  for (const line of lines) {
    const off = line.discount ? line.discount.rate.percent / 100 : 0;
    line.lineTotal = round2(line.price * line.quantity * (1 - off));
    total += line.lineTotal;
  }
  return { items: lines, count: lines.length, total: round2(total) };
}
