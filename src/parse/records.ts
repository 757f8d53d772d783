/**
 * Input bytes to records: one JSON value per line, or a multi-line value as pretty printers (jq,
 * JSON.stringify(_, null, 2), json.dumps(indent=2)) write it — a line that is just `{` or `[` (at
 * some indentation), content indented further, and a closing `}`/`]` at the opening's indentation.
 * Streaming and bounded: bytes are held only up to the end of the current record, and a line longer
 * than the limit is skipped (reported) without buffering it. Invalid UTF-8 is reported per line; the
 * other lines of the same chunk are still used.
 *
 * A value that never closes (a stray `{` line, a value cut short) is reported at its first line, and
 * the lines it swallowed are searched again: a complete value inside them (a pretty-printed event
 * indented under the stray line, or an indented one-line event) is still a record, at its own line.
 */
import { isUtf8 } from 'node:buffer';
import { formatBytes } from '../bytes';

export interface TextRecord {
  kind: 'record';
  /** 1-based line where the record starts. */
  line: number;
  text: string;
}

/**
 * A one-line JSON object (its first bytes are `{"`), as valid UTF-8 bytes without the line end:
 * given only by a splitter made with `{ bytes: true }`, so the caller can decode just the part it
 * needs (parse: the payload after a schema seen before). Decoded, it is the TextRecord's text.
 */
export interface ByteRecord {
  kind: 'bytes';
  line: number;
  bytes: Buffer;
}

export interface RecordProblem {
  kind: 'problem';
  line: number;
  reason: string;
}

export type SplitItem = TextRecord | ByteRecord | RecordProblem;

export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

export class RecordSplitter {
  private lineNo: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Skipping the rest of an over-long line. */
  private skipping = false;
  private multi: MultiLine | null = null;
  private atStart: boolean;
  /** A multi-line value was opened (its line numbers are in reasons: the parallel path then steps aside). */
  sawMultiLine = false;
  private readonly giveBytes: boolean;

  /**
   * `firstLine`: lines before these bytes (a chunk in the middle of an input); `atStart`: the bytes
   * begin the input (a byte order mark is dropped only there); `bytes`: one-line objects come as
   * ByteRecords, undecoded.
   */
  constructor(
    private readonly maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
    firstLine = 0,
    atStart = firstLine === 0,
    options: { bytes?: boolean } = {},
  ) {
    this.lineNo = firstLine;
    this.atStart = atStart;
    this.giveBytes = options.bytes ?? false;
  }

  /** Lines seen so far (the last line number given). */
  get lineCount(): number {
    return this.lineNo;
  }

  /** Splits one chunk; returns the records and problems it completes, in input order. */
  push(chunk: Buffer): SplitItem[] {
    const out: SplitItem[] = [];
    const last = chunk.lastIndexOf(10);
    if (last === -1) {
      this.hold(chunk, out);
      return out;
    }
    let head = chunk.subarray(0, last);
    const firstNewline = chunk.indexOf(10);
    if (this.skipping) {
      // The over-long line ends at the first newline of this chunk.
      this.skipping = false;
      head = chunk.subarray(firstNewline + 1, last);
      if (firstNewline === last) {
        this.keepTail(chunk, last, out);
        return out;
      }
    } else if (this.pendingBytes > 0) {
      if (this.pendingBytes + firstNewline > this.maxRecordBytes) {
        this.tooLong(out);
        head = chunk.subarray(firstNewline + 1, last);
        if (firstNewline === last) {
          this.keepTail(chunk, last, out);
          return out;
        }
      } else {
        // Join only the held bytes with the rest of their line; the remaining lines need no copy.
        this.pending.push(chunk.subarray(0, firstNewline));
        const first = Buffer.concat(this.pending);
        this.pending = [];
        this.pendingBytes = 0;
        this.lines(first, out);
        if (firstNewline === last) {
          this.keepTail(chunk, last, out);
          return out;
        }
        head = chunk.subarray(firstNewline + 1, last);
      }
    }
    this.lines(head, out);
    this.keepTail(chunk, last, out);
    return out;
  }

  /** Flushes the last line (input without a final newline) and any unfinished multi-line value. */
  end(): SplitItem[] {
    const out: SplitItem[] = [];
    if (this.skipping) this.skipping = false;
    else if (this.pendingBytes > 0) {
      const rest = Buffer.concat(this.pending);
      this.pending = [];
      this.pendingBytes = 0;
      this.lines(rest, out);
    }
    if (this.multi) {
      const multi = this.multi;
      out.push({ kind: 'problem', line: multi.line, reason: `truncated JSON value: input ended before it closed (lines ${multi.line}–${this.lineNo})` });
      this.multi = null;
      recover(multi, out);
    }
    return out;
  }

  private keepTail(chunk: Buffer, last: number, out: SplitItem[]): void {
    if (last + 1 < chunk.length) this.hold(chunk.subarray(last + 1), out);
  }

  private hold(bytes: Buffer, out: SplitItem[]): void {
    if (this.skipping) return;
    if (this.pendingBytes + bytes.length > this.maxRecordBytes) {
      this.tooLong(out);
      this.skipping = true;
      return;
    }
    // Copy: the caller may reuse its chunk buffer.
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
  }

  private tooLong(out: SplitItem[]): void {
    this.lineNo++;
    out.push({ kind: 'problem', line: this.lineNo, reason: `line longer than ${formatBytes(this.maxRecordBytes)}: skipped` });
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Complete lines (without their final newline) of a region. */
  private lines(region: Buffer, out: SplitItem[]): void {
    if (isUtf8(region)) {
      if (this.giveBytes) {
        this.byteLines(region, out);
        return;
      }
      const texts = region.toString('utf8').split('\n');
      for (const text of texts) this.line(text, out);
      return;
    }
    let start = 0;
    while (start <= region.length) {
      let end = region.indexOf(10, start);
      if (end === -1) end = region.length;
      const bytes = region.subarray(start, end);
      if (isUtf8(bytes)) this.line(bytes.toString('utf8'), out);
      else {
        this.lineNo++;
        out.push({ kind: 'problem', line: this.lineNo, reason: 'invalid UTF-8' });
      }
      start = end + 1;
    }
  }

  /**
   * The lines of valid UTF-8 bytes: a line that starts with `{"` outside a multi-line value is a
   * record as it is (it cannot open one, and only the input's first line can carry a byte order
   * mark), given undecoded; every other line goes through line() as text.
   */
  private byteLines(region: Buffer, out: SplitItem[]): void {
    let start = 0;
    for (;;) {
      let end = region.indexOf(10, start);
      const last = end === -1;
      if (last) end = region.length;
      if (this.multi === null && !this.atStart && end - start >= 2 && region[start] === 123 && region[start + 1] === 34) {
        this.lineNo++;
        out.push({ kind: 'bytes', line: this.lineNo, bytes: region.subarray(start, region[end - 1] === 13 ? end - 1 : end) });
      } else this.line(region.toString('utf8', start, end), out);
      if (last) return;
      start = end + 1;
    }
  }

  private line(raw: string, out: SplitItem[]): void {
    this.lineNo++;
    let text = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
    if (this.atStart) {
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const multi = this.multi;
    if (multi) {
      const indent = indentOf(text);
      if (indent === text.length || indent > multi.indent) {
        multi.chars += text.length + 1;
        if (multi.chars > this.maxRecordBytes) {
          out.push({ kind: 'problem', line: multi.line, reason: `multi-line JSON value longer than ${formatBytes(this.maxRecordBytes)}: skipped` });
          this.multi = null;
          return;
        }
        multi.lines.push(text);
        return;
      }
      if (indent === multi.indent && isCloser(text.charCodeAt(indent))) {
        multi.lines.push(text);
        out.push({ kind: 'record', line: multi.line, text: multi.lines.join('\n') });
        this.multi = null;
        return;
      }
      // Something new starts at (or left of) the value's indentation before the value closed.
      out.push({ kind: 'problem', line: multi.line, reason: `truncated JSON value: line ${this.lineNo} starts a new value before it closed` });
      this.multi = null;
      recover(multi, out);
    }
    const indent = openerIndent(text);
    if (indent >= 0) {
      this.sawMultiLine = true;
      this.multi = { line: this.lineNo, indent, lines: [text], chars: text.length };
      return;
    }
    out.push({ kind: 'record', line: this.lineNo, text });
  }
}

interface MultiLine {
  /** Line of the opening `{`/`[`. */
  line: number;
  /** Its indentation: the closing bracket sits there, the content further right. */
  indent: number;
  lines: string[];
  chars: number;
}

function indentOf(text: string): number {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i;
}

function isCloser(c: number): boolean {
  return c === 125 /* } */ || c === 93; /* ] */
}

/** Indentation of a line that is only `{` or `[` (trailing spaces allowed), or -1. */
function openerIndent(text: string): number {
  const indent = indentOf(text);
  const c = text.charCodeAt(indent);
  if (c !== 123 /* { */ && c !== 91 /* [ */) return -1;
  for (let i = indent + 1; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d !== 32 && d !== 9) return -1;
  }
  return indent;
}

/**
 * The complete values inside the lines of a value that never closed (its first line is already
 * reported): a nested opener up to its closer at the same indentation, alone on its line and of the
 * same kind, or one line that is a whole object/array. Other lines belonged to the broken value and
 * are passed over silently; one pass, so the work stays linear in the lines held.
 */
function recover(multi: MultiLine, out: SplitItem[]): void {
  const lines = multi.lines;
  let i = 1;
  while (i < lines.length) {
    const text = lines[i];
    const indent = openerIndent(text);
    if (indent < 0) {
      const trimmed = text.trim();
      const first = trimmed.charCodeAt(0);
      const last = trimmed.charCodeAt(trimmed.length - 1);
      if ((first === 123 && last === 125) || (first === 91 && last === 93)) out.push({ kind: 'record', line: multi.line + i, text });
      i++;
      continue;
    }
    const close = text.charCodeAt(indent) === 123 ? '}' : ']';
    let j = i + 1;
    for (; j < lines.length; j++) {
      const inner = indentOf(lines[j]);
      if (inner === lines[j].length || inner > indent) continue;
      break;
    }
    if (j < lines.length && indentOf(lines[j]) === indent && lines[j].trim() === close) {
      out.push({ kind: 'record', line: multi.line + i, text: lines.slice(i, j + 1).join('\n') });
      i = j + 1;
    } else {
      i = Math.max(j, i + 1);
    }
  }
}
