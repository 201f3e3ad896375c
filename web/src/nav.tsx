import {
  Archive,
  BarChart3,
  Bot,
  Clock,
  FileCode2,
  FolderTree,
  Globe,
  Inbox,
  type LucideIcon,
  MessageSquare,
  Network,
  Plug,
  Settings2,
  ShieldCheck,
  Sparkles,
  Wrench,
  Cpu,
} from 'lucide-react';
import type { ReactNode } from 'react';
import { AgentsPage } from './agents/AgentsPage';
import { InboxPage } from './approvals/InboxPage';
import { interactionsStore } from './approvals/store';
import { ChatPage } from './chat/ChatPage';
import { CronPage } from './cron/CronPage';
import { FilesPage } from './files/FilesPage';
import { useStore } from './lib/store';
import { McpPage } from './mcp/McpPage';
import { AgentsMdPage } from './pages/AgentsMdPage';
import { SecurityPage } from './pages/SecurityPage';
import { SettingsGeneralPage } from './pages/SettingsGeneralPage';
import { SettingsSessionsPage } from './pages/SettingsSessionsPage';
import { ToolsPage } from './pages/ToolsPage';
import { SettingsModelsPage } from './models/SettingsModelsPage';
import { SitesPage } from './sites/SitesPage';
import { SkillsPage } from './skills/SkillsPage';
import { TeamPage } from './team/TeamPage';
import { UsagePage } from './usage/UsagePage';

export interface NavItem {
  path: string;
  label: string;
  icon: LucideIcon;
  /** Gets the full path, so a page can read what follows its own (`/chat/ses_…`). */
  render: (path: string) => ReactNode;
  /** Fills the content area edge to edge instead of the padded column. */
  fullBleed?: boolean;
  /** On a phone, the page's own header is the top bar and holds the navigation's button (`PhoneMenuButton`). */
  ownsPhoneBar?: boolean;
  /** A hook giving the number shown beside the item (pending approvals). */
  useCount?: () => number;
}

export interface NavGroup {
  label: string;
  items: NavItem[];
}

/** The whole product's navigation. */
export const NAV: NavGroup[] = [
  {
    label: 'Work',
    items: [
      {
        path: '/chat',
        label: 'Chat',
        icon: MessageSquare,
        render: (path) => <ChatPage path={path} />,
        fullBleed: true,
        ownsPhoneBar: true,
      },
      {
        path: '/approvals',
        label: 'Approvals',
        icon: Inbox,
        render: () => <InboxPage />,
        useCount: () => useStore(interactionsStore, (s) => s.pending.length),
      },
      { path: '/files', label: 'Files', icon: FolderTree, render: () => <FilesPage />, fullBleed: true },
    ],
  },
  {
    label: 'Capabilities',
    items: [
      {
        path: '/skills',
        label: 'Skills',
        icon: Sparkles,
        render: (path) => <SkillsPage path={path} />,
      },
      { path: '/tools', label: 'Tools', icon: Wrench, render: () => <ToolsPage /> },
      { path: '/agents', label: 'Agents', icon: Bot, render: (path) => <AgentsPage path={path} /> },
      { path: '/mcp', label: 'MCP', icon: Plug, render: (path) => <McpPage path={path} /> },
    ],
  },
  {
    label: 'Automation',
    items: [
      {
        path: '/cron',
        label: 'Cron',
        icon: Clock,
        render: (path) => <CronPage path={path} />,
      },
      { path: '/team', label: 'Team', icon: Network, render: () => <TeamPage /> },
      {
        path: '/sites',
        label: 'Sites',
        icon: Globe,
        render: () => <SitesPage />,
      },
    ],
  },
  {
    label: 'Insight',
    items: [
      {
        path: '/usage',
        label: 'Usage',
        icon: BarChart3,
        render: () => <UsagePage />,
      },
    ],
  },
  {
    label: 'Settings',
    items: [
      { path: '/settings/general', label: 'General', icon: Settings2, render: () => <SettingsGeneralPage /> },
      { path: '/settings/models', label: 'Models', icon: Cpu, render: () => <SettingsModelsPage /> },
      { path: '/settings/sessions', label: 'Sessions', icon: Archive, render: () => <SettingsSessionsPage /> },
      { path: '/settings/security', label: 'Security', icon: ShieldCheck, render: () => <SecurityPage /> },
      { path: '/settings/agents-md', label: 'AGENTS.md', icon: FileCode2, render: () => <AgentsMdPage /> },
    ],
  },
];

export const NAV_ITEMS: NavItem[] = NAV.flatMap((group) => group.items);

/** The item a path belongs to: its own path or anything below it. */
export function navItemFor(path: string): NavItem | undefined {
  return NAV_ITEMS.find((item) => path === item.path || path.startsWith(`${item.path}/`));
}
export const DEFAULT_PATH = '/chat';
