// What the cart page and the header badge show: the number of items and the total, with
// each product's discount applied.
const round2 = (n) => Math.round(n * 100) / 100;

export function unitPrice(item) {
  return item.discount ? item.price * (1 - item.discount.percent / 100) : item.price;
}

export function summarizeCart(cart) {
  let count = 0;
  let total = 0;
  for (const item of cart.items) {
    count += item.quantity;
    total += unitPrice(item) * item.quantity;
  }
  return { items: cart.items, count, total: round2(total) };
}
