/** The Range header of a blob GET on the proxy path: which bytes, or 416 when none of them exists. */
import { contentRange, requestedRange } from '../../../lambda/core/http/byte-range';
import { OciError } from '../../../lambda/oci/errors';

describe('requestedRange', () => {
  it.each([
    ['bytes=0-0', 10, { start: 0, end: 0 }],
    ['bytes=2-5', 10, { start: 2, end: 5 }],
    ['bytes=7-', 10, { start: 7, end: 9 }],
    ['bytes=7-1000', 10, { start: 7, end: 9 }],
    ['bytes=-3', 10, { start: 7, end: 9 }],
    ['bytes=-100', 10, { start: 0, end: 9 }],
    [' bytes=1-2 ', 10, { start: 1, end: 2 }],
  ])('%s of %i bytes -> %o', (header, size, range) => {
    expect(requestedRange(header, size)).toEqual(range);
  });

  it.each([
    ['no header', undefined],
    ['another unit', 'items=0-1'],
    ['several ranges', 'bytes=0-1,3-4'],
    ['end before start', 'bytes=5-2'],
    ['no numbers', 'bytes=-'],
    ['garbage', 'bytes=a-b'],
  ])('%s -> the whole blob', (_why, header) => {
    expect(requestedRange(header, 10)).toBeUndefined();
  });

  it.each([
    ['bytes=10-', 10],
    ['bytes=99999999999999999999-', 10],
    ['bytes=-0', 10],
    ['bytes=0-', 0],
    ['bytes=-5', 0],
  ])('%s of %i bytes -> RANGE_INVALID with Content-Range: bytes */size', (header, size) => {
    const err = (() => {
      try {
        requestedRange(header, size);
      } catch (e) {
        return e as OciError;
      }
      throw new Error('no error');
    })();
    expect(err.code).toBe('RANGE_INVALID');
    expect(err.status).toBe(416);
    expect(err.headers['content-range']).toBe(`bytes */${size}`);
  });

  it('contentRange -> bytes start-end/size', () => {
    expect(contentRange({ start: 2, end: 5 }, 16)).toBe('bytes 2-5/16');
  });
});
