package org.sipshield.config;

/**
 * A called-number pattern and the trunk it routes to. Pattern syntax as operators know it:
 * digits, {@code X} for any one digit, {@code !} for one or more digits, at the end.
 */
public record RoutePattern(String pattern, String trunk) {
    public boolean matches(String number) {
        return matches(pattern, number);
    }

    public static boolean matches(String pattern, String number) {
        int i = 0;
        for (; i < pattern.length(); i++) {
            char p = pattern.charAt(i);
            if (p == '!') {
                return number.length() > i && number.substring(i).chars().allMatch(Character::isDigit);
            }
            if (i >= number.length()) {
                return false;
            }
            char n = number.charAt(i);
            if (p == 'X' || p == 'x' ? !Character.isDigit(n) : p != n) {
                return false;
            }
        }
        return i == number.length();
    }
}
