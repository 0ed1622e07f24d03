export { computeResults, competitionRanks, tidy } from './aggregate.ts';
export {
  achievementRatio,
  defaultRubric,
  EPSILON,
  FOUR_NO_GROUP,
  isFourNo,
  isMet,
  pointsFor,
  roundScore,
  Rubric,
  rubricProblems,
} from './rubric.ts';
export type {
  FourNoBreach,
  IndicatorResult,
  IndicatorValue,
  PeriodResults,
  ReportingRates,
  ReportingStatus,
  ResultNote,
  ResultsInput,
  ScoreDetail,
  UnitChange,
  UnitResult,
} from './types.ts';
export { proposeCommendations, type Commendations, type Proposal } from './commendations.ts';
