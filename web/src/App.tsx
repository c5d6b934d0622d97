import { Navigate, Route, Routes } from "react-router-dom";
import { useAuth } from "./auth/AuthContext";
import { TimeZoneProvider } from "./auth/ProfileContext";
import { LiveProvider } from "./live/LiveContext";
import { SignInPage } from "./pages/SignInPage";
import { Shell } from "./Shell";
import { DashboardPage } from "./pages/DashboardPage";
import { UploadPage } from "./pages/UploadPage";
import { SessionPage } from "./pages/SessionPage";
import { ReviewPage } from "./pages/ReviewPage";
import { FollowUpsPage } from "./pages/FollowUpsPage";
import { FollowUpPage } from "./pages/FollowUpPage";
import { SupportPage } from "./pages/SupportPage";
import { AdminPage } from "./pages/AdminPage";
import { ClientPage } from "./pages/ClientPage";
import { ProfilePage } from "./pages/ProfilePage";
import { TemplatesPage } from "./pages/TemplatesPage";
import { SearchPage } from "./search/SearchPage";
import { ExportsPage } from "./exports/ExportsPage";

function Home() {
  const { person } = useAuth();
  return person?.role === "support" ? <Navigate to="/support" replace /> : <DashboardPage />;
}

export function App() {
  const { person } = useAuth();
  if (!person) {
    return (
      <Routes>
        <Route path="*" element={<SignInPage />} />
      </Routes>
    );
  }
  return (
    <TimeZoneProvider>
      <LiveProvider>
        <Routes>
          <Route path="/sign-in" element={<Navigate to="/" replace />} />
          <Route element={<Shell />}>
            <Route path="/" element={<Home />} />
            <Route path="/upload" element={<UploadPage />} />
            <Route path="/sessions/:sessionId" element={<SessionPage />} />
            <Route path="/summaries/:summaryId" element={<ReviewPage />} />
            <Route path="/clients/:clientId" element={<ClientPage />} />
            <Route path="/follow-ups" element={<FollowUpsPage />} />
            <Route path="/follow-ups/:followUpId" element={<FollowUpPage />} />
            <Route path="/search" element={<SearchPage />} />
            <Route path="/exports" element={<ExportsPage />} />
            <Route path="/templates" element={<TemplatesPage />} />
            <Route path="/profile" element={<ProfilePage />} />
            <Route path="/support" element={<SupportPage />} />
            <Route path="/admin" element={<AdminPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </LiveProvider>
    </TimeZoneProvider>
  );
}

function NotFoundPage() {
  return <h1>Page not found</h1>;
}
