import type { Topology } from '@energysale/network';

import { alertGroups } from './alerts';
import { recordingGroups } from './recording';
import { ruleFileText } from './rule-file';

/** Where prometheus.yml's `rule_files: ['rules/*.yml']` finds each file, relative to dashboards/. */
export const RULE_FILE = {
  recording: 'rules/recording.yml',
  alerts: 'rules/alerts.yml',
} as const;

/** The rule files under dashboards/: the recorded series, then the alerts (which read some of them). */
export function ruleFiles(topology: Topology): (readonly [string, string])[] {
  return [
    [RULE_FILE.recording, ruleFileText('recording', recordingGroups(topology))],
    [RULE_FILE.alerts, ruleFileText('alerts', alertGroups(topology))],
  ];
}
