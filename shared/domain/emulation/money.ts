/** Money as people read it in Vietnamese documents: "2.340.000 đồng" (dots between thousands, no decimals). */
const GROUPS = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0, useGrouping: true });

export const moneyVi = (amount: number): string => `${GROUPS.format(amount)} đồng`;

/**
 * Award money (Decree 152/2025): multiplier × base salary, in whole đồng. The multiplier has at most two decimals
 * (0.3, 1.5, 4.5), so it is taken in hundredths to keep the product exact.
 */
export const awardAmount = (multiplier: number, baseSalary: number): number => (Math.round(multiplier * 100) * baseSalary) / 100;
