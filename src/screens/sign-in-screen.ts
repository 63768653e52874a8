/**
 * Sign in. The session API always goes to the network (nothing about passwords is stored on the
 * tablet), so signing in needs a connection ("Connect to sign in."); everything after it works
 * offline.
 * @fires signed-in - detail `{user}`.
 */
import { css, html, nothing } from 'lit';
import { ApiError, describeError } from '../api/http.ts';
import { plural } from '../format.ts';
import type { SessionUser, WaitingWork } from '../protocol/index.ts';
import type { AppServices } from '../services.ts';
import { CONNECT_TO_SIGN_IN } from '../session.ts';
import { controls } from '../styles/controls.ts';
import { ScreenElement } from './screen.ts';

/** What a sign-in gives the app: the user, and the token that ends the session without its cookie. */
export interface SignedInDetail {
  user: SessionUser;
  revocationToken?: string;
}

export class SignInScreen extends ScreenElement {
  static override properties = {
    notice: { type: String },
    _busy: { state: true },
    _error: { state: true },
    _waiting: { state: true },
  };

  /** A message from the app (e.g. "Your session expired"). */
  declare notice: string | null;
  declare _busy: boolean;
  declare _error: string | null;
  /** Changes on this tablet that wait for someone to sign in (they go only under their author). */
  declare _waiting: WaitingWork[];

  static override styles = [
    controls,
    css`
      :host {
        display: flex;
        justify-content: center;
        padding: var(--sd-space-6) var(--sd-space-4);
      }
      form {
        width: min(480px, 100%);
        display: flex;
        flex-direction: column;
        gap: var(--sd-space-4);
        padding: var(--sd-space-5);
      }
      p {
        margin: 0;
      }
      .waiting {
        margin: 0;
        padding-inline-start: var(--sd-space-5);
        color: var(--sd-color-text-muted);
      }
    `,
  ];

  constructor() {
    super();
    this.notice = null;
    this._busy = false;
    this._error = null;
    this._waiting = [];
  }

  protected setup(services: AppServices): void {
    services.client.send({ type: 'GET_WAITING_WORK' }).then(
      (waiting) => (this._waiting = waiting),
      () => undefined, // no worker yet (a first visit): nothing waits here
    );
  }

  override render() {
    return html`
      <form class="card" @submit=${this.onSubmit} novalidate aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to SmartDMV</h1>
        ${this.notice ? html`<p class="banner info" role="status">${this.notice}</p>` : nothing}
        <div class="field">
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="username" required autofocus />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required />
        </div>
        ${this._error ? html`<p class="banner error" role="alert">${this._error}</p>` : nothing}
        <button class="primary" type="submit" ?disabled=${this._busy}>${this._busy ? 'Signing in…' : 'Sign in'}</button>
        ${
          this._waiting.length > 0
            ? html`<ul class="waiting" aria-label="Changes waiting on this tablet">
                ${this._waiting.map(
                  (w) =>
                    html`<li>
                      ${plural(w.count, 'change')} by ${w.name ?? 'someone who signed in earlier'}
                      ${w.count === 1 ? 'waits' : 'wait'} on this tablet; ${w.count === 1 ? 'it is' : 'they are'} sent
                      when ${w.name ?? 'they'} ${w.name ? 'signs' : 'sign'} in here.
                    </li>`,
                )}
              </ul>`
            : nothing
        }
      </form>
    `;
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const services = this.services;
    if (!services || this._busy) return;
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const email = String(data.get('email') ?? '').trim();
    const password = String(data.get('password') ?? '');
    if (!email || !password) {
      this._error = 'Enter your email and password.';
      return;
    }
    this._busy = true;
    this._error = null;
    try {
      const signedIn = await services.auth.login(email, password);
      this.dispatchEvent(
        new CustomEvent<SignedInDetail>('signed-in', { detail: signedIn, bubbles: true, composed: true }),
      );
    } catch (error) {
      this._error =
        error instanceof ApiError && error.status === 401
          ? 'That email and password do not match an account.'
          : error instanceof ApiError && error.isNetwork
            ? `${CONNECT_TO_SIGN_IN} Signing in needs the practice server; try again when the tablet is online.`
            : describeError(error);
    } finally {
      this._busy = false;
    }
  }
}

customElements.define('sign-in-screen', SignInScreen);

declare global {
  interface HTMLElementTagNameMap {
    'sign-in-screen': SignInScreen;
  }
  interface HTMLElementEventMap {
    'signed-in': CustomEvent<SignedInDetail>;
  }
}
