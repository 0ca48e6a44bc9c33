// Placeholder until the mojibake repair lands: returns the text unchanged.
export function repairMojibake(text: string): { text: string; repaired: boolean } {
  return { text, repaired: false };
}
