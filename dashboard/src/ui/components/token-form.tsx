// Asks for the read token when the API refuses the one the page has.
import { useState } from 'preact/hooks';
import { saveToken } from '../api.ts';

export function TokenForm(props: { onSaved: () => void }) {
  const [token, setToken] = useState('');
  return (
    <form
      class="panel token"
      onSubmit={(event) => {
        event.preventDefault();
        saveToken(token.trim());
        props.onSaved();
      }}
    >
      <h2>Read token required</h2>
      <p>
        This dashboard's API is protected. Enter the value of EVENTLINE_DASHBOARD_TOKEN; it is kept in this browser
        only.
      </p>
      <input
        type="password"
        name="token"
        autoComplete="off"
        value={token}
        onInput={(e) => setToken(e.currentTarget.value)}
        required
      />
      <button type="submit">Save</button>
    </form>
  );
}
