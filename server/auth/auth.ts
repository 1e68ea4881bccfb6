// Sign-in for the web app (Auth.js / next-auth v5): email + password against User.passwordHash, and
// an OIDC provider when OIDC_* is configured. Sessions are JWTs in a cookie carrying the user id and
// role; the configuration is built at request time so `next build` needs no secrets.
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import type { OIDCConfig } from "next-auth/providers";
import Credentials from "next-auth/providers/credentials";
import { config } from "../config.ts";
import type { Role } from "../db/generated/sqlite/enums.ts";
import { log } from "../log.ts";
import { authorizeCredentials } from "./authorize-credentials.ts";
import { linkOidcAccount } from "./link-oidc-account.ts";

export const oidcProviderId = "oidc";
export const signInPath = "/sign-in";

const roles: readonly Role[] = ["learner", "instructor", "admin"];

function roleOf(value: unknown): Role | undefined {
  return roles.find((role) => role === value);
}

type OidcProfile = { sub: string; email?: unknown; email_verified?: unknown; name?: unknown };

function oidcProvider(oidc: NonNullable<ReturnType<typeof config>["oidc"]>): OIDCConfig<OidcProfile> {
  return {
    id: oidcProviderId,
    name: oidc.name,
    type: "oidc",
    issuer: oidc.issuer,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    checks: ["pkce", "state", "nonce"],
  };
}

function buildConfig(): NextAuthConfig {
  const settings = config();
  const providers: NextAuthConfig["providers"] = [
    Credentials({
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials) {
        const user = await authorizeCredentials({ email: credentials.email, password: credentials.password });
        return user && { id: user.id, email: user.email, name: user.name, role: user.role };
      },
    }),
  ];
  if (settings.oidc) providers.push(oidcProvider(settings.oidc));

  return {
    secret: settings.AUTH_SECRET,
    // The custom server answers only on our own origin and checks Origin on state-changing requests.
    trustHost: true,
    session: { strategy: "jwt" },
    pages: { signIn: signInPath, error: signInPath },
    providers,
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.type !== "oidc") return true;
        const linked = await linkOidcAccount({
          provider: account.provider,
          providerAccountId: account.providerAccountId,
          type: account.type,
          email: profile?.email,
          emailVerified: profile?.email_verified,
          name: profile?.name,
        });
        if (!linked) return false;
        // Without a database adapter Auth.js hands this same object to the jwt callback: make it ours.
        Object.assign(user, { id: linked.id, email: linked.email, name: linked.name, role: linked.role });
        return true;
      },
      jwt({ token, user }) {
        if (user) {
          // Sign-in: from here on the token names our user, not the provider's subject.
          token.sub = user.id;
          token.role = roleOf((user as { role?: unknown }).role) ?? "learner";
        }
        return token;
      },
      session({ session, token }) {
        const result = { ...session, user: { ...session.user, id: token.sub ?? "", role: roleOf(token.role) ?? "learner" } };
        return result;
      },
    },
    logger: {
      error(error) {
        // A wrong password is not a server error.
        if (error instanceof CredentialsSignin || (error as { type?: unknown }).type === "CredentialsSignin") return;
        log.error({ err: error }, "auth error");
      },
      warn(code) {
        log.warn({ code }, "auth warning");
      },
      debug() {},
    },
  };
}

/** The OIDC button's label, or null when OIDC sign-in is not configured. */
export function oidcProviderName(): string | null {
  return config().oidc?.name ?? null;
}

let built: NextAuthConfig | undefined;

export const { handlers, auth, signIn, signOut } = NextAuth(() => (built ??= buildConfig()));
