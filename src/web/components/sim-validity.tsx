// What a simulation rests on: the warnings about its data (always shown), how many inputs were
// measured and how many assumed, the inputs themselves behind a disclosure (assumed first: they
// are the ones to question), and the model's assumptions in words behind another.
import type { SimulationInput, Validity } from '../../model/index.js';

export function ValiditySection({
  validity,
  inputs,
  assumptions,
  warnings,
}: {
  validity: Record<Validity, number>;
  inputs: SimulationInput[];
  assumptions: string[];
  warnings: string[];
}) {
  const sorted = [...inputs].sort((a, b) => (a.validity === b.validity ? 0 : a.validity === 'assumed' ? -1 : 1));
  return (
    <section aria-labelledby="validity-head">
      <h2 id="validity-head">
        Validity: {validity.measured} inputs measured, {validity.assumed} assumed
      </h2>
      {warnings.length > 0 && (
        <div className="warnings">
          <h3>Warnings</h3>
          <ul>
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      <details className="inputs">
        <summary>The {inputs.length} inputs, assumed first</summary>
        <table className="rows">
          <thead>
            <tr>
              <th scope="col">Input</th>
              <th scope="col">Value</th>
              <th scope="col">Validity</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((i) => (
              <tr key={`${i.name}\u0000${i.source}`} className={i.validity}>
                <td>{i.name}</td>
                <td>{i.value}</td>
                <td>
                  <span className={`tag ${i.validity === 'assumed' ? 'warn' : ''}`}>{i.validity}</span>
                </td>
                <td>{i.source}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <details className="assumptions">
        <summary>The model's {assumptions.length} assumptions</summary>
        <ul>
          {assumptions.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      </details>
    </section>
  );
}
