import { createContext, useContext } from 'react';
import type { User } from './lib/types';

export interface AuthState {
  user: User | null;
  setUser: (u: User | null) => void;
}

export const AuthContext = createContext<AuthState>({ user: null, setUser: () => {} });

export function useAuth(): AuthState {
  return useContext(AuthContext);
}

/** The signed-in user; only for pages behind <RequireUser>. */
export function useUser(): User {
  const { user } = useAuth();
  if (!user) throw new Error('useUser outside a signed-in page');
  return user;
}
