// Tests as steps of one shared session: the session starts once per test file (a fresh
// code-server takes 10-20 s), each step leaves a screenshot in tests/e2e/artifacts, a
// failing one too, and the session is torn down whatever happened.
import { after, before, test } from 'node:test';
import { Session, type SessionOptions } from './session';

export type SessionRef = () => Session;

const STEP_TIMEOUT_MS = 150_000;

export function useSession(options: SessionOptions): SessionRef {
  let session: Session | undefined;
  before(async () => {
    session = await Session.start(options);
  }, { timeout: 180_000 });
  after(async () => {
    await session?.close();
  });
  return () => {
    if (!session) throw new Error(`the ${options.name} session did not start`);
    return session;
  };
}

export function step(ref: SessionRef, title: string, body: (session: Session) => Promise<void>): void {
  // The step's own deadline fires before the runner's, so a hung step still gets its
  // screenshot and leaves no half-open quick input behind for the next one.
  test(title, { timeout: STEP_TIMEOUT_MS + 30_000 }, async () => {
    const session = ref();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`step did not finish within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    });
    try {
      await Promise.race([body(session), deadline]);
    } catch (err) {
      await session.shot(`${title} failed`).catch(() => undefined);
      await session.page.keyboard.press('Escape').catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    await session.shot(title);
  });
}
