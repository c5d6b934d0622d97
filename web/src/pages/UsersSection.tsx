import { Alert, Badge, Button, Code, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { unwrap, type Schemas } from "../api/client";
import { sentenceFor } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { Empty, ErrorNotice, Loading } from "../common/states";
import { useLoad } from "../common/useLoad";

type Role = Schemas["UserView"]["role"];
type User = Schemas["UserView"];

/** A person's roles (the service role is an API key's). */
export const PERSON_ROLES: { value: Role; label: string }[] = [
  { value: "coach", label: "Coach" },
  { value: "coach_lead", label: "Coach lead" },
  { value: "admin", label: "Admin" },
  { value: "support", label: "Support" },
];

/** The organization's people for admins: list, add, change a role, disable or enable. */
export function UsersSection() {
  const { api } = useAuth();
  const [users, reload] = useLoad(async () => unwrap(await api.GET("/v1/users")).items, [api]);
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("coach");
  const [added, setAdded] = useState<Schemas["AddedUserView"] | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  async function act(change: () => Promise<string>) {
    setOutcome(null);
    try {
      setOutcome({ ok: true, text: await change() });
      reload();
    } catch (error) {
      setOutcome({ ok: false, text: sentenceFor(error) });
    }
  }

  function add(event: FormEvent) {
    event.preventDefault();
    setAdded(null);
    void act(async () => {
      const person = unwrap(await api.POST("/v1/users", { body: { email, name, role } }));
      setAdded(person);
      setEmail("");
      setName("");
      return `Added ${person.email}.`;
    });
  }

  const update = (user: User, body: { role?: Role; disabled?: boolean }, done: string) =>
    act(async () => {
      unwrap(await api.PATCH("/v1/users/{user_id}", { params: { path: { user_id: user.id } }, body }));
      return done;
    });

  return (
    <section aria-labelledby="users-heading">
      <Stack>
        <Title order={2} id="users-heading">
          Users
        </Title>
        <Text size="sm" c="dimmed">
          A changed role or a disabled account signs the person out everywhere.
        </Text>
        {users.state === "loading" && <Loading what="the users" />}
        {users.state === "error" && <ErrorNotice error={users.error} title="The users did not load" />}
        {users.state === "ready" && users.data.length === 0 && <Empty>No users yet: add the first below.</Empty>}
        {users.state === "ready" && users.data.length > 0 && (
          <Table aria-label="Users">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Email</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>MFA</Table.Th>
                <Table.Th>Account</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.map((user) => (
                <Table.Tr key={user.id}>
                  <Table.Td>{user.name}</Table.Td>
                  <Table.Td>{user.email}</Table.Td>
                  <Table.Td>
                    <NativeSelect
                      aria-label={`Role of ${user.email}`}
                      data={PERSON_ROLES}
                      value={user.role}
                      onChange={(event) => {
                        const value = event.currentTarget.value as Role;
                        if (value !== user.role)
                          void update(user, { role: value }, `${user.email} is now ${labelOf(value)}.`);
                      }}
                    />
                  </Table.Td>
                  <Table.Td>{user.mfa_enabled ? "On" : "Off"}</Table.Td>
                  <Table.Td>
                    <Group gap="xs">
                      {user.disabled && <Badge color="gray">Disabled</Badge>}
                      <Button
                        size="xs"
                        variant="default"
                        aria-label={`${user.disabled ? "Enable" : "Disable"} ${user.email}`}
                        onClick={() =>
                          void update(
                            user,
                            { disabled: !user.disabled },
                            `${user.email} is ${user.disabled ? "enabled" : "disabled"}.`,
                          )
                        }
                      >
                        {user.disabled ? "Enable" : "Disable"}
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {outcome && (
          <Alert role={outcome.ok ? "status" : "alert"} color={outcome.ok ? "green" : "red"}>
            {outcome.text}
          </Alert>
        )}
        {added?.temporary_password && (
          <Alert role="note" color="blue" title={`Temporary password for ${added.email}`}>
            <Text size="sm">Shown only now: hand it over safely.</Text>
            <Code>{added.temporary_password}</Code>
          </Alert>
        )}
        <form onSubmit={add} aria-label="Add a user">
          <Title order={3} size="h4">
            Add a user
          </Title>
          <Group align="end">
            <TextInput
              label="Email"
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <NativeSelect
              label="Role"
              data={PERSON_ROLES}
              value={role}
              onChange={(event) => setRole(event.currentTarget.value as Role)}
            />
            <Button type="submit">Add user</Button>
          </Group>
        </form>
      </Stack>
    </section>
  );
}

function labelOf(role: Role): string {
  return (PERSON_ROLES.find((r) => r.value === role)?.label ?? role).toLowerCase();
}
