/** Small statistics for the bench's figures. */

/** The median of a non-empty list. */
export const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2; };

/** x rounded to d decimals. */
export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
