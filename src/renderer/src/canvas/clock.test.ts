import { describe, expect, it } from 'vitest';
import { createAnimationClock, STEP_MS } from './clock';

function fakeWall() {
  let now = 1000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('animation clock', () => {
  it('runs with wall time while playing', () => {
    const wall = fakeWall();
    const clock = createAnimationClock(wall.now);
    expect(clock.now()).toBe(0);
    wall.advance(250);
    expect(clock.now()).toBe(250);
  });

  it('stands still while paused and resumes from where it stopped', () => {
    const wall = fakeWall();
    const clock = createAnimationClock(wall.now);
    wall.advance(100);
    clock.pause();
    wall.advance(5000);
    expect(clock.now()).toBe(100);
    expect(clock.isPaused()).toBe(true);
    clock.resume();
    wall.advance(50);
    expect(clock.now()).toBe(150);
    clock.resume(); // idempotent
    clock.pause();
    clock.pause(); // idempotent
    wall.advance(10);
    expect(clock.now()).toBe(150);
  });

  it('steps by a fixed frame while paused', () => {
    const wall = fakeWall();
    const clock = createAnimationClock(wall.now, { paused: true });
    expect(clock.isPaused()).toBe(true);
    clock.step();
    clock.step();
    wall.advance(999);
    expect(clock.now()).toBe(2 * STEP_MS);
    clock.step(40);
    expect(clock.now()).toBe(2 * STEP_MS + 40);
  });

  it('adds a step on top of running time while playing', () => {
    const wall = fakeWall();
    const clock = createAnimationClock(wall.now, { stepMs: 100 });
    wall.advance(30);
    clock.step();
    expect(clock.now()).toBe(130);
    wall.advance(20);
    expect(clock.now()).toBe(150);
  });
});
