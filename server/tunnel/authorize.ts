// The tunnel's whole authorization, in one narrow function: a connect query in, the guacd
// connection to make (or a refusal with its Guacamole status) out.
import { GuacamoleError } from "../guacamole/status.ts";
import { getLabConnection } from "../labs/get-lab-connection.ts";
import { consumeTicket } from "../tickets/consume-ticket.ts";
import type { ConnectQuery } from "./connect-query.ts";
import { guacdParametersFor } from "./guacd-parameters.ts";
import type { TunnelGrant } from "./tunnel-services.ts";

export async function authorizeTunnel(query: Pick<ConnectQuery, "ticket">): Promise<TunnelGrant> {
  const ticket = await consumeTicket({ token: query.ticket });
  if (!ticket) throw new GuacamoleError("CLIENT_UNAUTHORIZED", "The connection ticket is missing, expired or already used.");

  const lab = await getLabConnection({ labId: ticket.labId, protocol: ticket.protocol });
  // Someone else's lab gets the same answer as a missing one.
  if (!lab || lab.ownerId !== ticket.userId) throw new GuacamoleError("RESOURCE_NOT_FOUND", "No such lab.");
  if (lab.state === "torn_down") throw new GuacamoleError("RESOURCE_CLOSED", "This lab has been torn down.");
  if (lab.state !== "ready") throw new GuacamoleError("UPSTREAM_UNAVAILABLE", "This lab is not running yet.");

  return {
    userId: ticket.userId,
    userName: lab.ownerName,
    labId: lab.labId,
    protocol: ticket.protocol,
    parameters: guacdParametersFor(lab),
  };
}
