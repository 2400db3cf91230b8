// The main end-to-end session: a trusted workspace holding a copy of samples/ (and the
// fixtures), where the user edits, trains, compares and reads the runs panel.
import { editingSteps } from './editing';
import { useSession } from './steps';
import { trainingSteps } from './training';

const session = useSession({ name: 'trusted', trusted: true });
editingSteps(session);
trainingSteps(session);
