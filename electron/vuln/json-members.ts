import { StringDecoder } from 'node:string_decoder';

/** Thrown when a feed is not the JSON it should be (malformed, truncated, too large a member). */
export class FeedFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedFormatError';
  }
}

const STRING_STOP = /["\\]/g;

type State = 'start' | 'before-key' | 'key' | 'after-key' | 'before-value' | 'value' | 'after-value' | 'done';

/**
 * Reads a JSON document whose top level is one object and hands each member to `onMember` as
 * (key, raw value text) without ever holding the whole document: the Debian tracker's JSON is >100 MB,
 * while its largest member (one source package) is a few MB. Only the member being read is buffered,
 * and never more than `maxMemberChars`. Every byte outside the members is checked, so a truncated or
 * malformed document throws a FeedFormatError; the member text itself is left to JSON.parse.
 */
export async function forEachTopLevelMember(
  chunks: AsyncIterable<Buffer | string>,
  onMember: (key: string, valueText: string) => void,
  maxMemberChars: number,
): Promise<number> {
  const decoder = new StringDecoder('utf8');
  // Set inside `feed`, which TypeScript's narrowing does not follow.
  let state = 'start' as State;
  let key = '';
  let parts: string[] = [];
  let partsLen = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let members = 0;
  let offset = 0;

  const fail = (what: string, at: number): never => {
    throw new FeedFormatError(`${what} at character ${offset + at}`);
  };

  const feed = (text: string): void => {
    let i = 0;
    let valueStart = -1;
    const flushValue = (end: number) => {
      if (valueStart >= 0 && end > valueStart) {
        parts.push(text.slice(valueStart, end));
        partsLen += end - valueStart;
      }
      valueStart = -1;
    };
    const finishValue = (end: number) => {
      flushValue(end);
      const raw = parts.join('');
      parts = [];
      partsLen = 0;
      members++;
      onMember(key, raw);
      state = 'after-value';
    };
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const ws = c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
      switch (state) {
        case 'start':
          if (ws) continue;
          if (c === 0x7b) state = 'before-key';
          else fail('expected "{" (the feed is not a JSON object)', i);
          continue;
        case 'before-key':
          if (ws) continue;
          if (c === 0x22) {
            state = 'key';
            key = '"';
            escaped = false;
          } else if (c === 0x7d && members === 0) state = 'done';
          else fail('expected a member name', i);
          continue;
        case 'key':
          key += text[i];
          if (key.length > 1024) fail('member name too long', i);
          if (escaped) escaped = false;
          else if (c === 0x5c) escaped = true;
          else if (c === 0x22) {
            try {
              key = JSON.parse(key) as string;
            } catch {
              fail('malformed member name', i);
            }
            state = 'after-key';
          }
          continue;
        case 'after-key':
          if (ws) continue;
          if (c === 0x3a) state = 'before-value';
          else fail('expected ":"', i);
          continue;
        case 'before-value':
          if (ws) continue;
          state = 'value';
          depth = 0;
          inString = false;
          escaped = false;
          valueStart = i;
          i--; // read this character again as the value's first
          continue;
        case 'value':
          if (valueStart < 0) valueStart = i;
          if (inString) {
            if (escaped) {
              escaped = false;
              continue;
            }
            // Most of the document is string text (descriptions): jump to the next quote or backslash.
            STRING_STOP.lastIndex = i;
            const stop = STRING_STOP.exec(text);
            if (!stop) {
              i = text.length;
              continue;
            }
            i = stop.index;
            if (text.charCodeAt(i) === 0x5c) escaped = true;
            else inString = false;
            continue;
          }
          if (c === 0x22) inString = true;
          else if (c === 0x7b || c === 0x5b) depth++;
          else if (c === 0x7d || c === 0x5d) {
            if (depth === 0) {
              // A bare value (number, true…) ended by the object's closing brace.
              finishValue(i);
              i--;
              continue;
            }
            depth--;
            if (depth === 0) finishValue(i + 1);
          } else if (c === 0x2c && depth === 0) {
            finishValue(i);
            i--;
          }
          continue;
        case 'after-value':
          if (ws) continue;
          if (c === 0x2c) state = 'before-key';
          else if (c === 0x7d) state = 'done';
          else fail('expected "," or "}"', i);
          continue;
        case 'done':
          if (!ws) fail('unexpected data after the end of the document', i);
          continue;
      }
    }
    if (state === 'value') {
      flushValue(text.length);
      if (partsLen > maxMemberChars)
        throw new FeedFormatError(`member "${key}" is larger than ${maxMemberChars} characters`);
    }
    offset += text.length;
  };

  for await (const chunk of chunks) feed(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  feed(decoder.end());
  if (state !== 'done')
    throw new FeedFormatError(`the document ends early (truncated) after ${members} members`);
  return members;
}
