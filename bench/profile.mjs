// Summarize a V8 .cpuprofile (node --cpu-prof): the functions with the most self time.
import { basename } from "node:path";

/**
 * Return a table of the `top` functions by self time: share of all samples, milliseconds, and
 * where the function lives (file:line). Samples of one function at different call sites add up.
 */
export function summarizeProfile(profile, top = 20) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i + 1] is the time from sample i to the next one: the time sample i stands for.
    const us = timeDeltas[i + 1] ?? 0;
    const frame = nodes.get(samples[i]).callFrame;
    const where = frame.url ? `${basename(frame.url)}:${frame.lineNumber + 1}` : "";
    const key = `${frame.functionName || "(anonymous)"}\t${where}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + us);
    total += us;
  }
  const rows = [...selfUs.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = [`${"self %".padStart(7)} ${"self ms".padStart(9)}  function (file:line)`];
  for (const [key, us] of rows) {
    const [name, where] = key.split("\t");
    lines.push(
      `${((us / total) * 100).toFixed(1).padStart(6)}% ${(us / 1000).toFixed(1).padStart(9)}  ${name}${where ? ` (${where})` : ""}`,
    );
  }
  lines.push(`${"100%".padStart(7)} ${(total / 1000).toFixed(1).padStart(9)}  total sampled`);
  return lines.join("\n");
}
