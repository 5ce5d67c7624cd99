import { describe, expect, it } from 'vitest'
import { cardBrand, cardExpiry, expiryText, identityName, luhnValid, maskedCard, monthNumber, EMPTY_IDENTITY } from './itemTypes'

describe('item types (issue 23)', () => {
  it('recognises card brands by their prefixes', () => {
    expect(cardBrand('4242 4242 4242 4242')).toBe('Visa')
    expect(cardBrand('5555555555554444')).toBe('Mastercard')
    expect(cardBrand('2223003122003222')).toBe('Mastercard')
    expect(cardBrand('378282246310005')).toBe('Amex')
    expect(cardBrand('6011111111111117')).toBe('Discover')
    expect(cardBrand('3530111333300000')).toBe('JCB')
    expect(cardBrand('30569309025904')).toBe('Diners Club')
    expect(cardBrand('6200000000000005')).toBe('UnionPay')
    expect(cardBrand('123')).toBe('')
  })

  it('checks the Luhn checksum and masks all but the last four digits', () => {
    expect(luhnValid('4242-4242-4242-4242')).toBe(true)
    expect(luhnValid('4242 4242 4242 4241')).toBe(false)
    expect(luhnValid('')).toBe(false)
    expect(maskedCard('4242 4242 4242 4242')).toBe('•••• 4242')
    expect(maskedCard('12')).toBe('')
  })

  it('reads an expiry as a month number, two-digit years included; nonsense is no expiry', () => {
    expect(cardExpiry({ expMonth: '3', expYear: '2031' })).toBe(2031 * 12 + 2)
    expect(cardExpiry({ expMonth: '12', expYear: '29' })).toBe(2029 * 12 + 11)
    expect(cardExpiry({ expMonth: '13', expYear: '2031' })).toBe(null)
    expect(cardExpiry({ expMonth: '', expYear: '2031' })).toBe(null)
    expect(expiryText(2031 * 12 + 2)).toBe('03/2031')
    expect(monthNumber(new Date(Date.UTC(2026, 11, 6)))).toBe(2026 * 12 + 11)
  })

  it("writes an identity's name from its parts", () => {
    expect(identityName({ ...EMPTY_IDENTITY, title: 'Dr', firstName: 'Ada', lastName: 'Lovelace' })).toBe('Dr Ada Lovelace')
  })
})
