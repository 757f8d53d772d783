/**
 * The automatic choice of parse threads (issue 14): workers only for cores that the rest of the
 * machine leaves free now, measured over a short window with this process's own CPU taken out.
 */
import { freeCores, sampleCpu, workersFor, type CpuSample } from '../../src/parse/idle-cores';

const at = (atMs: number, machineBusyMs: number, ownMs: number, cores = 2): CpuSample => ({ cores, machineBusyMs, ownMs, atMs });

describe('freeCores', () => {
  it('an idle machine: every core but the main thread is free', () => {
    // 60 ms in which only this process ran, one core's worth.
    expect(freeCores(at(0, 1000, 10), at(60, 1060, 70))).toBeCloseTo(1);
    expect(freeCores(at(0, 1000, 10, 8), at(60, 1060, 70, 8))).toBeCloseTo(7);
  });

  it("this process's starting workers do not count as someone else's work", () => {
    // The main thread and a worker loading its modules: 1.5 cores of the machine, all of them ours.
    expect(freeCores(at(0, 0, 0), at(60, 90, 90))).toBeCloseTo(1);
  });

  it('another process keeping a core busy leaves none free on two cores', () => {
    expect(freeCores(at(0, 0, 0), at(60, 120, 60))).toBe(0);
    // It is never negative, even when the kernel's ticks round the other way.
    expect(freeCores(at(0, 0, 0), at(60, 130, 55))).toBe(0);
  });

  it('a core busy part of the time is free for the rest', () => {
    expect(freeCores(at(0, 0, 0), at(100, 130, 100))).toBeCloseTo(0.7);
  });

  it('no time elapsed, or no cores known: nothing is free', () => {
    expect(freeCores(at(5, 0, 0), at(5, 10, 0))).toBe(0);
    expect(freeCores(at(0, 0, 0, 0), at(60, 0, 60, 0))).toBe(0);
  });
});

describe('workersFor', () => {
  it('one worker per core at least half free, up to the pool', () => {
    expect(workersFor(1, 1)).toBe(1);
    expect(workersFor(0.6, 1)).toBe(1);
    expect(workersFor(0.4, 1)).toBe(0);
    expect(workersFor(0, 3)).toBe(0);
    expect(workersFor(2.7, 3)).toBe(3);
    expect(workersFor(1.2, 3)).toBe(1);
    expect(workersFor(7, 3)).toBe(3);
  });
});

describe('sampleCpu', () => {
  it('reads the machine and this process, both growing with time', () => {
    const before = sampleCpu();
    const end = Date.now() + 30;
    let spin = 0;
    while (Date.now() < end) spin++;
    const after = sampleCpu();
    expect(spin).toBeGreaterThan(0);
    expect(after.cores).toBeGreaterThan(0);
    expect(after.atMs - before.atMs).toBeGreaterThanOrEqual(29);
    expect(after.ownMs).toBeGreaterThan(before.ownMs);
    expect(after.machineBusyMs).toBeGreaterThanOrEqual(before.machineBusyMs);
  });
});
