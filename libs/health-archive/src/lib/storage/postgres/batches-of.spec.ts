import { batchesOf } from './pool';

describe('batchesOf', () => {
  const length = (text: string) => text.length;

  it('keeps the order and cuts at the count', () => {
    const items = Array.from({ length: 7 }, (_, i) => `${i}`);
    expect(batchesOf(items, length, 3, 1_000)).toEqual([['0', '1', '2'], ['3', '4', '5'], ['6']]);
  });

  it('cuts before the item that would pass the size', () => {
    expect(batchesOf(['aaa', 'bbb', 'cc', 'd'], length, 10, 6)).toEqual([['aaa', 'bbb'], ['cc', 'd']]);
    expect(batchesOf(['aaa', 'bbbb'], length, 10, 6)).toEqual([['aaa'], ['bbbb']]);
  });

  it('puts an item larger than the size alone, between the others', () => {
    expect(batchesOf(['a', 'x'.repeat(20), 'b', 'c'], length, 10, 6)).toEqual([['a'], ['x'.repeat(20)], ['b', 'c']]);
  });

  it('gives no batch for no item', () => {
    expect(batchesOf([], length, 10, 6)).toEqual([]);
  });
});
