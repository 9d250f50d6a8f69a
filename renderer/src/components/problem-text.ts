/** Wording of field problems for people. */

/** "Address is required" from a label and a shared rule's message; a message naming its subject stays as is. */
export function problemText(label: string, problem: string): string {
  if (/^(tag|tags|at most|jump host)\b/i.test(problem))
    return problem.charAt(0).toUpperCase() + problem.slice(1);
  return `${label} ${problem}`;
}
