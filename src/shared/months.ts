// The English month names, for the stages that read dates (dedup's normalisation, the entity
// stage's ISO values).
export const MONTH_NAMES: readonly string[] = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
