import { Alert, Button, Checkbox, Group, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useEffect, useState } from "react";
import { unwrap, type Schemas } from "../api/client";
import { sentenceFor } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { ErrorNotice, Loading } from "../common/states";
import { useLoad } from "../common/useLoad";
import { ChangePassword } from "./ChangePassword";
import { SignOutEverywhere } from "./SignOutEverywhere";

type Preferences = Schemas["NotificationPreferences"];
type Tone = Schemas["VoiceProfile-Input"]["tone"];
interface Voice {
  greeting: string;
  sign_off: string;
  tone: Tone;
  signature: string;
}
const TONES: Tone[] = ["warm", "formal", "direct"];

const ZONES: string[] = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("timeZone") ?? [
  "UTC",
];

/** The coach's name, the voice follow-ups are written in, and when to be told what. */
export function ProfilePage() {
  const { api, person } = useAuth();
  const hasCoachProfile = person?.role === "coach" || person?.role === "coach_lead";
  return (
    <Stack maw={560}>
      <Title order={1}>Your profile</Title>
      {hasCoachProfile && <CoachProfile api={api} />}
      <ChangePassword />
      <SignOutEverywhere />
    </Stack>
  );
}

/** The coach's name, voice and notices (coaches and leads have a coach profile). */
function CoachProfile({ api }: { api: ReturnType<typeof useAuth>["api"] }) {
  const [profile] = useLoad(async () => unwrap(await api.GET("/v1/coach-profile")), [api]);
  const [name, setName] = useState("");
  const [voice, setVoice] = useState<Voice>({ greeting: "", sign_off: "", tone: "warm", signature: "" });
  const [preferences, setPreferences] = useState<Preferences | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    if (profile.state !== "ready") return;
    const stored = profile.data.voice_profile as Partial<Voice>;
    setName(profile.data.name);
    setVoice({
      greeting: stored.greeting ?? "",
      sign_off: stored.sign_off ?? "",
      tone: TONES.includes(stored.tone as Tone) ? (stored.tone as Tone) : "warm",
      signature: stored.signature ?? "",
    });
    setPreferences(profile.data.notification_preferences);
  }, [profile]);

  async function save() {
    if (!preferences || profile.state !== "ready") return;
    setOutcome(null);
    try {
      const stored = profile.data.voice_profile as Record<string, unknown>;
      unwrap(
        await api.PUT("/v1/coach-profile", {
          body: { name, voice_profile: { ...stored, ...voice }, notification_preferences: preferences },
        }),
      );
      setOutcome({ ok: true, text: "Saved." });
    } catch (error) {
      setOutcome({ ok: false, text: sentenceFor(error) });
    }
  }

  const edit = (key: "greeting" | "sign_off" | "signature") => (event: React.ChangeEvent<HTMLInputElement>) => {
    const value = event.currentTarget.value;
    setVoice((was) => ({ ...was, [key]: value }));
  };

  return (
    <Stack>
      {profile.state === "loading" && <Loading what="your profile" />}
      {profile.state === "error" && <ErrorNotice error={profile.error} title="Your profile did not load" />}
      {profile.state === "ready" && preferences && (
        <>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Title order={2} size="h3">
            Your voice in follow-ups
          </Title>
          <Text size="sm" c="dimmed">
            What you set here wins over what is learned from the emails you send.
          </Text>
          <TextInput label="Greeting" placeholder="Hi" value={voice.greeting} onChange={edit("greeting")} />
          <TextInput label="Sign-off" placeholder="Warm regards" value={voice.sign_off} onChange={edit("sign_off")} />
          <Select
            label="Tone"
            data={TONES}
            value={voice.tone}
            onChange={(tone) => tone && setVoice((was) => ({ ...was, tone: tone as Tone }))}
          />
          <TextInput label="Signature" value={voice.signature} onChange={edit("signature")} />
          <Title order={2} size="h3">
            Notifications
          </Title>
          <Checkbox
            label="Email me when a session is analysed"
            checked={preferences.email_on_ready ?? true}
            onChange={(e) => setPreferences({ ...preferences, email_on_ready: e.currentTarget.checked })}
          />
          <Checkbox
            label="Email me when processing fails"
            checked={preferences.email_on_failure ?? true}
            onChange={(e) => setPreferences({ ...preferences, email_on_failure: e.currentTarget.checked })}
          />
          <Select
            label="Time zone"
            searchable
            data={ZONES.includes(preferences.time_zone ?? "UTC") ? ZONES : [preferences.time_zone ?? "UTC", ...ZONES]}
            value={preferences.time_zone ?? "UTC"}
            onChange={(zone) => zone && setPreferences({ ...preferences, time_zone: zone })}
          />
          <Group>
            <Button onClick={() => void save()}>Save profile</Button>
          </Group>
          {outcome && (
            <Alert role={outcome.ok ? "status" : "alert"} color={outcome.ok ? "green" : "red"}>
              {outcome.text}
            </Alert>
          )}
        </>
      )}
    </Stack>
  );
}
