/** The candidate nearest to a word by edit distance (Levenshtein), to suggest what a typo meant. */

/** Insertions, deletions and substitutions turning `a` into `b`. */
export function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
        }
        previous = current;
    }
    return previous[b.length];
}

/**
 * The candidate closest to `word`, comparing case-insensitively; ties go to the earlier candidate.
 * Undefined only when there are no candidates.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
    let best: { candidate: string; distance: number } | undefined;
    for (const candidate of candidates) {
        const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
        if (best === undefined || distance < best.distance) best = { candidate, distance };
    }
    return best?.candidate;
}
