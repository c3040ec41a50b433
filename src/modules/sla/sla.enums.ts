import { registerEnumType } from 'type-graphql';

export enum SlaStatus {
  NONE = 'NONE',
  ON_TRACK = 'ON_TRACK',
  AT_RISK = 'AT_RISK',
  BREACHED = 'BREACHED',
  MET = 'MET',
}
registerEnumType(SlaStatus, {
  name: 'SlaStatus',
  valuesConfig: {
    NONE: { description: 'No SLA applies.' },
    AT_RISK: { description: 'Less than a fifth of the target time is left.' },
    MET: { description: 'Every target was met.' },
  },
});

/** Which SLA target a breach is about (kept in the SLA_BREACHED event's data). */
export enum SlaTarget {
  FIRST_RESPONSE = 'FIRST_RESPONSE',
  RESOLUTION = 'RESOLUTION',
}
