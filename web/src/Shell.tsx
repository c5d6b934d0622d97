import { AppShell, Badge, Burger, Button, Group, NavLink, Text, em, useMantineTheme } from "@mantine/core";
import { useDisclosure, useMediaQuery } from "@mantine/hooks";
import { Link, Outlet, useLocation, useNavigate } from "react-router-dom";
import { useAuth } from "./auth/AuthContext";
import { navigationFor } from "./auth/claims";
import { useLive } from "./live/LiveContext";

// Below this width the navigation folds behind the menu button (phones).
const BREAKPOINT = "xs";

const STATE_LABEL = { open: "Live updates on", connecting: "Connecting live updates…", closed: "Live updates off" };

/** Navigation shows only what the signed-in role may do. Below the breakpoint it folds away
 * behind a labelled menu button, and stays out of the tab order while folded. */
export function Shell() {
  const { person, signOut } = useAuth();
  const [menuOpen, menu] = useDisclosure(false);
  const theme = useMantineTheme();
  const folded = useMediaQuery(`(max-width: ${em(parseFloat(theme.breakpoints[BREAKPOINT]) * 16 - 0.02)})`) ?? false;
  const { state } = useLive();
  const location = useLocation();
  const navigate = useNavigate();
  if (!person) return null;
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 200, breakpoint: BREAKPOINT, collapsed: { mobile: !menuOpen } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger
              opened={menuOpen}
              onClick={menu.toggle}
              hiddenFrom={BREAKPOINT}
              size="sm"
              aria-label="Menu"
              aria-expanded={menuOpen}
              aria-controls="main-navigation"
            />
            {/* On a phone the header keeps its controls on one line: the title gives way. */}
            <Text fw={700} visibleFrom={BREAKPOINT}>
              Coaching supervision
            </Text>
          </Group>
          <Group wrap="nowrap" gap="xs">
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
      <AppShell.Navbar p="xs" component="nav" aria-label="Main" id="main-navigation" inert={folded && !menuOpen}>
        {navigationFor(person.role).map((item) => (
          <NavLink
            key={item.path}
            component={Link}
            to={item.path}
            label={item.label}
            active={item.path === "/" ? location.pathname === "/" : location.pathname.startsWith(item.path)}
            onClick={menu.close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
