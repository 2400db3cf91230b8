import type { Analysis } from './model';
import type { AnalysisHost } from './host';
import { analyzeParsed, type Units } from './analyze';
import { parseText, type ParsedText } from '../language/parser';
import { reparse } from '../language/reparse';

/**
 * The analyses of one document's successive versions. Each is the same as `analyze` of
 * its text, but reuses what the previous version's parse and checks produced for the
 * declarations an edit did not touch (see reparse and analyzeParsed).
 *
 * Reuse moves the untouched declarations' positions in place, so an analysis returned
 * earlier must not be read once a later one has been asked for.
 */
export class IncrementalAnalyzer {
  private previous: { readonly parsed: ParsedText; readonly units: Units } | undefined;

  constructor(
    private readonly file: string,
    private readonly host: AnalysisHost,
  ) {}

  analyze(text: string): Analysis {
    const previous = this.previous;
    // Dropped first: an analysis that throws or is stopped half-way leaves nothing half-moved to reuse.
    this.previous = undefined;
    const parsed = previous ? reparse(previous.parsed, text) : parseText(text, true);
    const { analysis, units } = analyzeParsed(parsed, this.file, this.host, previous?.units, true);
    this.previous = { parsed, units };
    return analysis;
  }
}
