import { Anchor, List, Text } from "@mantine/core";
import { useAuth } from "../auth/AuthContext";
import { rowsLabel, sizeLabel } from "./options";
import type { ExportFile } from "./types";

/** A file's name as the coach saves it: the last part of its path. */
export const fileName = (file: ExportFile) => file.path.split("/").pop() || file.entity;

/** One download link per file, with its rows and size (runs from before sizes have none). Local links are the API's own
 * (relative to it); in AWS they are presigned, absolute already. */
export function Downloads({ files, label }: { files: ExportFile[]; label: string }) {
  const { config } = useAuth();
  const absolute = (url: string) => (url.startsWith("/") ? `${config.apiBaseUrl}${url}` : url);
  return (
    <List aria-label={label} spacing={4}>
      {files.map((file) => {
        const size = file.bytes == null ? "" : ` · ${sizeLabel(file.bytes)}`;
        const facts = `${rowsLabel(file.rows)}${size}`;
        return (
          <List.Item key={file.path}>
            {file.url ? (
              <Anchor href={absolute(file.url)} download={fileName(file)}>
                Download {fileName(file)}
              </Anchor>
            ) : (
              <Text span>{fileName(file)}</Text>
            )}{" "}
            <Text span size="sm" c="dimmed">
              ({file.entity}: {facts})
            </Text>
          </List.Item>
        );
      })}
    </List>
  );
}
