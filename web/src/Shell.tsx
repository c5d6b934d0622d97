import { AppShell, Badge, Button, Group, NavLink, Text } from "@mantine/core";
import { Link, Outlet, useLocation, useNavigate } from "react-router-dom";
import { useAuth } from "./auth/AuthContext";
import { navigationFor } from "./auth/claims";
import { useLive } from "./live/LiveContext";

const STATE_LABEL = { open: "Live updates on", connecting: "Connecting live updates…", closed: "Live updates off" };

/** Navigation shows only what the signed-in role may do. */
export function Shell() {
  const { person, signOut } = useAuth();
  const { state } = useLive();
  const location = useLocation();
  const navigate = useNavigate();
  if (!person) return null;
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 200, breakpoint: "xs" }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Text fw={700}>Coaching supervision</Text>
          <Group>
            {person.role !== "support" && (
              <Badge color={state === "open" ? "green" : "gray"} role="status">
                {STATE_LABEL[state]}
              </Badge>
            )}
            <Text size="sm">{person.role.replace("_", " ")}</Text>
            <Button
              variant="default"
              size="xs"
              onClick={async () => {
                await signOut();
                navigate("/sign-in");
              }}
            >
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {navigationFor(person.role).map((item) => (
          <NavLink
            key={item.path}
            component={Link}
            to={item.path}
            label={item.label}
            active={item.path === "/" ? location.pathname === "/" : location.pathname.startsWith(item.path)}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
