import {
  Alert,
  Anchor,
  Button,
  Group,
  NativeSelect,
  Progress,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { Dropzone } from "@mantine/dropzone";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { unwrap } from "../api/client";
import { sentenceFor } from "../api/errors";
import { uploadTranscript } from "../api/upload";
import { useAuth } from "../auth/AuthContext";
import { ErrorNotice } from "../common/states";
import { useLoad } from "../common/useLoad";
import { useLive } from "../live/LiveContext";
import { applyPush, describeStatus, type LiveStatus } from "../live/liveStatus";

interface Upload {
  file: File;
  progress: number;
  sessionId: string | null;
  error: string | null;
}

export function UploadPage() {
  const { api, config, accessToken } = useAuth();
  // Whom a session may be filed under: an admin any coach, a lead their team, a coach only
  // themselves (then there is nothing to choose and no select is shown).
  const [coaches] = useLoad(async () => unwrap(await api.GET("/v1/coaches")).items, [api]);
  const [coachId, setCoachId] = useState<string | null>(null);
  const { socket } = useLive();
  const [files, setFiles] = useState<File[]>([]);
  const [sessionType, setSessionType] = useState<string | null>(null);
  const [sessionDate, setSessionDate] = useState("");
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [busy, setBusy] = useState(false);
  const [live, setLive] = useState<Record<string, LiveStatus>>({});
  const chooseFiles = useRef<() => void>(null);

  useEffect(() => socket.onPush((push) => setLive((statuses) => applyPush(statuses, push))), [socket]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (files.length === 0) return;
    setBusy(true);
    const started: Upload[] = files.map((file) => ({ file, progress: 0, sessionId: null, error: null }));
    setUploads(started);
    const update = (index: number, change: Partial<Upload>) =>
      setUploads((all) => all.map((upload, i) => (i === index ? { ...upload, ...change } : upload)));
    // One at a time: the platform takes each file as its own session.
    for (const [index, upload] of started.entries()) {
      try {
        const accepted = await uploadTranscript(
          config.apiBaseUrl,
          accessToken(),
          upload.file,
          { sessionType: sessionType as "group" | "individual" | null, sessionDate: sessionDate || null, coachId },
          (progress) => update(index, { progress }),
        );
        update(index, { progress: 1, sessionId: accepted.session_id });
      } catch (error) {
        update(index, { error: sentenceFor(error) });
      }
    }
    setFiles([]);
    setBusy(false);
  }

  return (
    <Stack maw={720}>
      <Title order={1}>Upload a transcript</Title>
      <form onSubmit={submit} aria-label="Upload">
        <Stack>
          {/* The zone takes dragged files; the button is the keyboard's way in (one control
              each, so nothing interactive sits inside another). */}
          <Dropzone
            onDrop={(dropped) => setFiles((was) => [...was, ...dropped])}
            multiple
            openRef={chooseFiles}
            activateOnKeyboard={false}
            inputProps={{ "aria-label": "Transcript files" }}
          >
            <Text ta="center" py="lg">
              Drag transcript files here. VTT, SRT, plain text, Word or JSON transcripts up to 20 MB.
            </Text>
          </Dropzone>
          <Group>
            <Button variant="default" onClick={() => chooseFiles.current?.()}>
              Choose files
            </Button>
          </Group>
          {files.length > 0 && (
            <ul aria-label="Chosen files">
              {files.map((file) => (
                <li key={`${file.name}-${file.size}`}>
                  {file.name} ({Math.ceil(file.size / 1024)} KB)
                </li>
              ))}
            </ul>
          )}
          <Group grow>
            <Select
              label="Session type"
              placeholder="Detect from the transcript"
              clearable
              data={[
                { value: "individual", label: "Individual" },
                { value: "group", label: "Group" },
              ]}
              value={sessionType}
              onChange={setSessionType}
            />
            <TextInput
              label="Session date"
              type="date"
              value={sessionDate}
              onChange={(e) => setSessionDate(e.currentTarget.value)}
            />
          </Group>
          {coaches.state === "ready" && coaches.data.length > 1 && (
            <NativeSelect
              label="Coach"
              data={[
                { value: "", label: "Yours (the uploader's)" },
                ...coaches.data.map((coach) => ({ value: coach.id, label: coach.name })),
              ]}
              value={coachId ?? ""}
              onChange={(event) => setCoachId(event.currentTarget.value || null)}
            />
          )}
          {coaches.state === "error" && <ErrorNotice error={coaches.error} title="The coaches did not load" />}
          <Button type="submit" disabled={files.length === 0} loading={busy}>
            Upload
          </Button>
        </Stack>
      </form>
      {uploads.length > 0 && (
        <section aria-labelledby="upload-results">
          <Title order={2} size="h3" id="upload-results">
            Uploads
          </Title>
          <Stack>
            {uploads.map((upload, index) => {
              const now = upload.sessionId ? live[upload.sessionId] : undefined;
              return (
                <div key={index}>
                  <Text fw={600}>{upload.file.name}</Text>
                  {upload.error ? (
                    <Alert role="alert" color="red" title={`${upload.file.name} was not accepted`}>
                      {upload.error}
                    </Alert>
                  ) : (
                    <>
                      <Progress value={upload.progress * 100} aria-label={`Upload of ${upload.file.name}`} />
                      {upload.sessionId && (
                        <Text role="status">
                          {now ? describeStatus(now.status, now.step) : "Received, processing…"}{" "}
                          <Anchor component={Link} to={`/sessions/${upload.sessionId}`}>
                            Open the session
                          </Anchor>
                        </Text>
                      )}
                    </>
                  )}
                </div>
              );
            })}
          </Stack>
        </section>
      )}
    </Stack>
  );
}
