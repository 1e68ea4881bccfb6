"use client";

import { useActionState } from "react";
import { signInWithPassword, type SignInState } from "./actions.ts";

export function SignInForm({ callbackPath, initialError }: { callbackPath: string; initialError: SignInState["error"] }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInWithPassword, {
    error: initialError,
    badCredentials: false,
    email: "",
  });
  const { error, badCredentials } = state;
  return (
    <form action={action} className="form">
      <input type="hidden" name="callbackUrl" value={callbackPath} />
      <div className="field">
        <label htmlFor="email">Email</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={state.email}
          aria-invalid={badCredentials || undefined}
          aria-describedby={error ? "sign-in-error" : undefined}
        />
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={badCredentials || undefined}
          aria-describedby={error ? "sign-in-error" : undefined}
        />
      </div>
      <p id="sign-in-error" className="form-error" role="alert" aria-live="assertive">
        {error}
      </p>
      <button type="submit" className="button button-wide" aria-disabled={pending} disabled={pending}>
        Sign in
      </button>
    </form>
  );
}
