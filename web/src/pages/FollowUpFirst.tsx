import { Anchor, Text, Title } from "@mantine/core";
import { Link } from "react-router-dom";
import { unwrap } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { formatDate } from "../common/time";
import { useLoad } from "../common/useLoad";

const SHOWN = 5;

/** The clients to follow up first: their latest session's follow-up priority, highest first. */
export function FollowUpFirst() {
  const { api } = useAuth();
  const [clients] = useLoad(
    async () => unwrap(await api.GET("/v1/clients", { params: { query: { sort: "priority", limit: SHOWN } } })),
    [api],
  );
  // Clients without an analysed session have no priority yet: nothing to rank them by.
  const ranked = clients.state === "ready" ? clients.data.items.filter((c) => c.latest_priority !== null) : [];

  return (
    <section aria-labelledby="follow-up-first">
      <Title order={2} id="follow-up-first" size="h3">
        Follow up first
      </Title>
      {clients.state === "loading" && <Loading what="clients" />}
      {clients.state === "error" && <ErrorNotice error={clients.error} title="Clients did not load" />}
      {clients.state === "ready" && ranked.length === 0 && (
        <Empty>No client has an analysed session yet, so none is ranked.</Empty>
      )}
      {ranked.length > 0 && (
        <ol aria-labelledby="follow-up-first">
          {ranked.map((client) => (
            <li key={client.id}>
              <Anchor component={Link} to={`/clients/${client.id}`}>
                {client.name}
              </Anchor>{" "}
              <Text span size="sm">
                priority {Math.round((client.latest_priority ?? 0) * 100)} of 100
                {client.latest_engagement ? `, ${client.latest_engagement} engagement` : ""}
                {client.last_session_date ? `, last seen ${formatDate(client.last_session_date)}` : ""}
              </Text>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
